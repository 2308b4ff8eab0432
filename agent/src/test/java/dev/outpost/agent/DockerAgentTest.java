package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.agent.driver.docker.DockerDriver;
import dev.outpost.agent.driver.docker.DockerEngine;
import dev.outpost.agent.driver.process.ProcessDriver;
import dev.outpost.agent.testing.FakeControlPlane;
import dev.outpost.agent.testing.LocalImages;
import dev.outpost.agent.testing.TestDocker;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.InstanceState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent loop with the docker driver against the real Engine, and the fake control plane. */
class DockerAgentTest {
    private static final String ADDRESS = "127.0.0.1";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final AgentTiming FAST = new AgentTiming(Duration.ofMillis(200), Duration.ofMillis(500),
            Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(60), Duration.ofSeconds(1), 5,
            Duration.ofMillis(50), Duration.ofSeconds(3));

    private static TestDocker docker;
    private static String web;
    private static String crashing;
    private static String silent;

    @TempDir
    Path dataDir;

    private final FakeControlPlane server = new FakeControlPlane();
    private HostDrivers drivers;
    private Agent agent;

    @BeforeAll
    static void images() throws Exception {
        docker = TestDocker.require();
        web = docker.webImage();
        crashing = docker.build("""
                FROM %s
                CMD ["sh", "-c", "echo cannot start >&2; exit 1"]
                """.formatted(TestDocker.BASE_IMAGE));
        silent = docker.build("""
                FROM %s
                CMD ["sh", "-c", "echo up but not listening; exec sleep 300"]
                """.formatted(TestDocker.BASE_IMAGE));
    }

    @AfterAll
    static void removeImages() throws Exception {
        if (docker != null) {
            docker.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        closeAgent();
        for (String id : docker.containers()) {
            docker.docker("rm", "-f", id);
        }
    }

    private void startAgent() throws DriverException {
        drivers = new HostDrivers(new ProcessDriver(dataDir, ADDRESS), dockerDriver(), null);
        agent = new Agent(new AgentConfig("iad", docker.hostId(), ADDRESS, dataDir, 1024, Duration.ofMillis(200)), server,
                drivers, FAST);
        agent.start();
    }

    private void closeAgent() {
        if (agent != null) {
            agent.close();
            drivers.close();
            agent = null;
        }
    }

    private DockerDriver dockerDriver() throws DriverException {
        return new DockerDriver(DockerEngine.fromEnvironment(), new LocalImages(), dataDir, ADDRESS, docker.hostId());
    }

    private static Assignment image(String id, String image, DesiredState desired) {
        AppConfig config = new AppConfig("hello", "iad", new AppConfig.Build(null, "hello:1", List.of()), Map.of(),
                List.of(new AppConfig.Service(8080, "tcp", List.of(), null,
                        List.of(new AppConfig.HttpCheck("/", "GET", Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ZERO)),
                        List.of())),
                null, null, null, null);
        return new Assignment(id, "hello", 1, "iad", image, config, Map.of("OUTPOST_APP", "hello", "OUTPOST_INSTANCE_ID", id),
                desired);
    }

    private boolean lastIs(String id, InstanceState state, Health health) {
        InstanceReport r = server.last(id);
        return r != null && r.state() == state && (health == null || r.health() == health);
    }

    private static String get(InstanceReport r) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + r.address() + ":" + r.port() + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void runsAnImageUntilPassingAndRestartsAKilledContainerByStartingItAgain() throws Exception {
        server.assign(image("img1", web, DesiredState.RUNNING));
        startAgent();
        await().atMost(DEADLINE).until(() -> lastIs("img1", InstanceState.STARTED, Health.PASSING));
        InstanceReport passing = server.last("img1");
        assertThat(get(passing)).isEqualTo("hello from img1\n");
        String container = docker.inspect("outpost-img1", "{{.Id}}");

        docker.docker("kill", "outpost-img1");

        await().atMost(DEADLINE).until(() -> !server.reports("img1", InstanceState.FAILED).isEmpty());
        InstanceReport failed = server.reports("img1", InstanceState.FAILED).getFirst();
        assertThat(failed.exitCode()).isEqualTo(137);
        assertThat(failed.message()).isEqualTo("exited with code 137");
        assertThat(failed.logTail()).contains("serving on 8080");
        await().atMost(DEADLINE).until(() -> lastIs("img1", InstanceState.STARTED, Health.PASSING));
        assertThat(server.last("img1").restarts()).isEqualTo(1);
        assertThat(docker.containers()).containsExactly(container);
        assertThat(get(server.last("img1"))).isEqualTo("hello from img1\n");
    }

    @Test
    void aCrashingEntrypointIsReportedWithItsExitCodeAndLastLinesAndRestartedWithBackoff() throws Exception {
        server.assign(image("img2", crashing, DesiredState.RUNNING));
        startAgent();

        await().atMost(DEADLINE).until(() -> server.reports("img2", InstanceState.FAILED).size() >= 2);

        InstanceReport failed = server.reports("img2", InstanceState.FAILED).getFirst();
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.message()).isEqualTo("exited with code 1");
        assertThat(failed.logTail()).containsExactly("cannot start");
        assertThat(server.reports("img2", InstanceState.FAILED).get(1).restarts()).isGreaterThanOrEqualTo(1);
        assertThat(docker.containers()).as("restarts reuse the one container").hasSize(1);
    }

    @Test
    void anImageThatListensOnNothingFailsAfterTheStartTimeout() throws Exception {
        server.assign(image("img3", silent, DesiredState.RUNNING));
        startAgent();

        await().atMost(DEADLINE).until(() -> !server.reports("img3", InstanceState.FAILED).isEmpty());

        InstanceReport failed = server.reports("img3", InstanceState.FAILED).getFirst();
        assertThat(failed.message()).isEqualTo("nothing listening on 8080 after 3s");
        assertThat(failed.exitCode()).isNull();
        assertThat(failed.logTail()).contains("up but not listening");
        assertThat(server.reports("img3", InstanceState.STARTED)).isEmpty();
    }

    @Test
    void aStoppedInstanceKeepsItsContainerAndStartsItAgain() throws Exception {
        Assignment running = image("img4", web, DesiredState.RUNNING);
        server.assign(running);
        startAgent();
        await().atMost(DEADLINE).until(() -> lastIs("img4", InstanceState.STARTED, Health.PASSING));
        String container = docker.inspect("outpost-img4", "{{.Id}}");

        server.assign(image("img4", web, DesiredState.STOPPED));
        await().atMost(DEADLINE).until(() -> lastIs("img4", InstanceState.STOPPED, null));
        assertThat(docker.inspect("outpost-img4", "{{.State.Running}}")).isEqualTo("false");

        server.assign(running);
        await().atMost(DEADLINE).until(() -> lastIs("img4", InstanceState.STARTED, Health.PASSING));
        assertThat(docker.containers()).containsExactly(container);
        assertThat(get(server.last("img4"))).isEqualTo("hello from img4\n");

        server.assign(image("img4", web, DesiredState.DESTROYED));
        await().atMost(DEADLINE).until(() -> lastIs("img4", InstanceState.DESTROYED, null));
        assertThat(docker.containers()).isEmpty();
    }

    @Test
    void aRestartedAgentReadoptsItsContainersWithoutDuplicatesAndRemovesUnassignedOnes() throws Exception {
        // What an earlier agent left: two running containers and one stopped, of which one runs unassigned.
        try (DockerDriver earlier = dockerDriver()) {
            for (String id : List.of("keep1", "drop1", "drop2")) {
                Assignment a = image(id, web, DesiredState.RUNNING);
                earlier.start(new InstanceSpec(id, "hello", 1, web, null, List.of(), a.env(), true, 8080, "shared-1x"));
            }
            earlier.stop("drop2", Duration.ZERO);
        }
        String kept = docker.inspect("outpost-keep1", "{{.Id}}");
        server.assign(image("keep1", web, DesiredState.RUNNING));

        startAgent();

        await().atMost(DEADLINE).until(() -> docker.containers().size() == 1);
        assertThat(docker.containers()).containsExactly(kept);
        await().atMost(DEADLINE).until(() -> lastIs("keep1", InstanceState.STARTED, Health.PASSING));
        assertThat(server.reports("keep1", InstanceState.STARTING)).as("adopted, not started again").isEmpty();
        assertThat(docker.runningContainers()).containsExactly(kept);
        assertThat(dataDir.resolve("instances/drop1")).doesNotExist();
        assertThat(dataDir.resolve("instances/drop2")).doesNotExist();
        assertThat(server.reports("drop1")).isEmpty();
    }

    @Test
    void anImageOnAHostWithoutDockerFailsSayingSo() throws Exception {
        drivers = new HostDrivers(new ProcessDriver(dataDir, ADDRESS), null,
                "this host runs no Docker Engine (agent started with --driver process)");
        agent = new Agent(new AgentConfig("iad", docker.hostId(), ADDRESS, dataDir, 1024, Duration.ofMillis(200)), server,
                drivers, FAST);
        server.assign(image("img5", web, DesiredState.RUNNING));
        agent.start();

        await().atMost(DEADLINE).until(() -> !server.reports("img5", InstanceState.FAILED).isEmpty());

        assertThat(server.reports("img5", InstanceState.FAILED).getFirst().message())
                .contains("is an image, but this host runs no Docker Engine (agent started with --driver process)");
        assertThat(docker.containers()).isEmpty();
    }
}
