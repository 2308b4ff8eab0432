package dev.outpost.agent.driver.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.check.TcpProbe;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.agent.testing.LocalImages;
import dev.outpost.agent.testing.TestDocker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerDriverTest {
    /** Not 127.0.0.1, to show the port is published on the address the driver was given. */
    private static final String ADDRESS = "127.0.0.3";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static TestDocker docker;
    private static String web;
    private static String crashing;

    @TempDir
    Path dataDir;

    private DockerDriver driver;

    @BeforeAll
    static void images() throws Exception {
        docker = TestDocker.require();
        web = docker.webImage();
        crashing = docker.build("""
                FROM %s
                CMD ["sh", "-c", "echo booting; echo cannot start >&2; exit 3"]
                """.formatted(TestDocker.BASE_IMAGE));
    }

    @AfterAll
    static void removeImages() throws Exception {
        if (docker != null) {
            docker.close();
        }
    }

    @BeforeEach
    void openDriver() throws Exception {
        driver = newDriver(docker.hostId());
    }

    @AfterEach
    void closeDriver() throws Exception {
        driver.close();
        for (String id : docker.containers()) {
            docker.docker("rm", "-f", id);
        }
    }

    private DockerDriver newDriver(String hostId) throws DriverException {
        return new DockerDriver(DockerEngine.fromEnvironment(), new LocalImages(), dataDir, ADDRESS, hostId);
    }

    private static InstanceSpec spec(String id, String image, String size) {
        return new InstanceSpec(id, "hello", 4, image, null, List.of(),
                Map.of("OUTPOST_APP", "hello", "OUTPOST_INSTANCE_ID", id, "GREETING", "hi"), true, 8080, size);
    }

    private static String get(InstanceHandle h) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + h.address() + ":" + h.port() + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static void awaitListening(InstanceHandle h) {
        await().atMost(DEADLINE).until(() -> TcpProbe.accepts(h.probeAddress(), h.probePort(), Duration.ofMillis(200)));
    }

    @Test
    void startsAContainerThatServesOnTheHostAddressWithLabelsLimitsAndLogs() throws Exception {
        InstanceHandle h = driver.start(spec("web1", web, "shared-2x"));
        awaitListening(h);

        assertThat(h.address()).isEqualTo(ADDRESS);
        assertThat(h.instancePort()).isEqualTo(8080);
        assertThat(get(h)).isEqualTo("hello from web1\n");
        String name = "outpost-web1";
        assertThat(docker.inspect(name, "{{index .Config.Labels \"dev.outpost.app\"}} {{index .Config.Labels \"dev.outpost.release\"}} "
                + "{{index .Config.Labels \"dev.outpost.instance\"}} {{index .Config.Labels \"dev.outpost.host\"}}"))
                .isEqualTo("hello 4 web1 " + docker.hostId());
        int cpus = Integer.parseInt(docker.docker("info", "--format", "{{.NCPU}}"));
        assertThat(docker.inspect(name, "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}"))
                .isEqualTo((512L << 20) + " " + (512L << 20) + " " + Math.min(2, cpus) * 1_000_000_000L + " 256");
        assertThat(docker.inspect(name, "{{.HostConfig.RestartPolicy.Name}}")).isIn("no", "");
        assertThat(docker.inspect(name, "{{(index (index .NetworkSettings.Ports \"8080/tcp\") 0).HostIp}}:"
                + "{{(index (index .NetworkSettings.Ports \"8080/tcp\") 0).HostPort}}")).isEqualTo(ADDRESS + ":" + h.port());
        assertThat(docker.inspect(name, "{{json .Config.Env}}"))
                .contains("\"PORT=8080\"", "\"OUTPOST_PRIVATE_IP=" + ADDRESS + "\"", "\"GREETING=hi\"");
        await().atMost(DEADLINE).until(() -> h.logTail(5).contains("serving on 8080"));
        assertThat(dataDir.resolve("instances/web1/output.log")).content().contains("serving on 8080");
    }

    @Test
    void aCrashingEntrypointEndsWithItsExitCodeAndItsLastLines() throws Exception {
        InstanceHandle h = driver.start(spec("crash1", crashing, null));

        Integer code = h.exited().get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(code).isEqualTo(3);
        // stdout and stderr are two streams: the Engine does not promise their order across them.
        assertThat(h.logTail(20)).containsExactlyInAnyOrder("booting", "cannot start");
        assertThat(docker.containers()).as("a crashed container is kept for its restart").hasSize(1);
    }

    @Test
    void stopKeepsTheContainerAndTheNextStartReusesItWithoutCopyingItsOutputTwice() throws Exception {
        InstanceHandle first = driver.start(spec("web2", web, null));
        awaitListening(first);
        String id = docker.inspect("outpost-web2", "{{.Id}}");
        await().atMost(DEADLINE).until(() -> first.logTail(5).contains("serving on 8080"));

        driver.stop("web2", Duration.ofSeconds(1));

        assertThat(docker.inspect("outpost-web2", "{{.State.Running}}")).isEqualTo("false");
        assertThat(TcpProbe.accepts(ADDRESS, first.port(), Duration.ofMillis(300))).isFalse();
        InstanceHandle second = driver.start(spec("web2", web, null));
        awaitListening(second);
        assertThat(docker.inspect("outpost-web2", "{{.Id}}")).isEqualTo(id);
        assertThat(get(second)).isEqualTo("hello from web2\n");
        await().atMost(DEADLINE).until(() -> second.logTail(10).stream().filter("serving on 8080"::equals).count() == 2);
        assertThat(Files.readAllLines(dataDir.resolve("instances/web2/output.log"))).containsExactly("serving on 8080", "serving on 8080");
    }

    @Test
    void aStartWithAnotherSpecReplacesTheKeptContainer() throws Exception {
        InstanceHandle first = driver.start(spec("web3", web, "shared-1x"));
        awaitListening(first);
        String before = docker.inspect("outpost-web3", "{{.Id}}");
        driver.stop("web3", Duration.ZERO);

        InstanceHandle second = driver.start(spec("web3", web, "shared-2x"));
        awaitListening(second);

        assertThat(docker.inspect("outpost-web3", "{{.Id}}")).isNotEqualTo(before);
        assertThat(docker.inspect("outpost-web3", "{{.HostConfig.Memory}}")).isEqualTo(Long.toString(512L << 20));
        assertThat(docker.containers()).hasSize(1);
    }

    @Test
    void destroyRemovesTheContainerAndTheInstanceDirectory() throws Exception {
        InstanceHandle h = driver.start(spec("web4", web, null));
        awaitListening(h);

        driver.destroy("web4");

        assertThat(docker.containers()).isEmpty();
        assertThat(dataDir.resolve("instances/web4")).doesNotExist();
        driver.destroy("web4"); // a second destroy finds nothing and does nothing
    }

    @Test
    void aRestartedDriverReadoptsTheRunningContainersOfItsHostOnly() throws Exception {
        InstanceHandle running = driver.start(spec("web5", web, null));
        awaitListening(running);
        driver.start(spec("web6", web, null));
        driver.stop("web6", Duration.ZERO);
        driver.close();

        driver = newDriver(docker.hostId());
        List<InstanceHandle> adopted = driver.list();

        assertThat(adopted).extracting(InstanceHandle::instanceId).containsExactly("web5");
        assertThat(adopted.getFirst().port()).isEqualTo(running.port());
        assertThat(adopted.getFirst().probePort()).isEqualTo(8080);
        assertThat(driver.present()).containsExactlyInAnyOrder("web5", "web6");
        try (DockerDriver other = newDriver("outpost-test-other-host")) {
            assertThat(other.list()).isEmpty();
            assertThat(other.present()).isEmpty();
        }
        // Another platform on the same Engine whose host has the same id (two `outpost dev` runs both
        // have iad-host-1) neither adopts nor sees these containers, so it never removes them.
        try (DockerDriver sameIdElsewhere = new DockerDriver(DockerEngine.fromEnvironment(), new LocalImages(),
                Files.createDirectories(dataDir.resolve("other-platform")), ADDRESS, docker.hostId())) {
            assertThat(sameIdElsewhere.list()).isEmpty();
            assertThat(sameIdElsewhere.present()).isEmpty();
        }
        // The adopted one is watched: its exit is seen with the Engine's exit code.
        docker.docker("kill", "outpost-web5");
        assertThat(adopted.getFirst().exited().get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(137);
    }

    @Test
    void refusesAnUnknownSizeAndASourceBundle() {
        assertThatThrownBy(() -> driver.start(spec("web7", web, "huge-9x")))
                .isInstanceOf(DriverException.class)
                .hasMessageContaining("vm size \"huge-9x\" is unknown")
                .hasMessageContaining("shared-1x");
        InstanceSpec bundle = new InstanceSpec("web8", "hello", 1, web, null, List.of("sh"), Map.of());
        assertThatThrownBy(() -> driver.start(bundle)).isInstanceOf(DriverException.class)
                .hasMessageContaining("docker driver runs images only");
    }
}
