package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.testing.TestRequire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Docker apps end to end through {@code bin/outpost}, a real Docker Engine and the Outpost registry:
 * a Dockerfile app in three regions, each served locally; a killed container comes back; rolling,
 * blue-green and canary deploys under constant load lose no request; a crashing image fails its
 * deploy and the previous release keeps serving; a crash of the whole platform leaves containers
 * running and the restarted agents adopt them without duplicates; destroying the app removes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerAppsTest {
    static final List<String> REGIONS = List.of("iad", "ams", "syd");
    static final String APP = "dockweb";
    static final String HOST = APP + ".outpost.localhost";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path appDir;

    @BeforeAll
    void start() throws Exception {
        TestRequire.component("docker", dockerAnswers(), "no Docker Engine answers `docker info`");
        Process image = new ProcessBuilder(DevLab.ROOT.resolve("scripts/docker-test-image").toString()).redirectErrorStream(true).start();
        String out = new String(image.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(image.waitFor()).as(out).isZero();
        lab = new DevLab(home, REGIONS).start();
        appDir = Files.createDirectories(home.resolve(APP));
        writeApp("hello", "rolling", "exec httpd -f -p $PORT -h /www");
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
        for (String id : containers()) {
            new ProcessBuilder("docker", "rm", "-f", id).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    static boolean dockerAnswers() {
        try {
            Process p = new ProcessBuilder("docker", "info").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** A busybox httpd app whose page names its region, instance and greeting. */
    void writeApp(String greeting, String strategy, String serve) throws IOException {
        Files.writeString(appDir.resolve("Dockerfile"), """
                FROM outpost-test/busybox:1
                RUN mkdir -p /www
                CMD ["sh", "-c", "echo \\"$GREETING from $OUTPOST_REGION (instance $OUTPOST_INSTANCE_ID)\\" > /www/index.html && echo ok > /www/healthz && %s"]
                """.formatted(serve.replace("\"", "\\\"")));
        Files.writeString(appDir.resolve("outpost.toml"), """
                app = "%s"

                [build]
                dockerfile = "Dockerfile"

                [env]
                GREETING = "%s"

                [[services]]
                internal_port = 8080
                  [[services.ports]]
                  port = 80
                  handlers = ["http"]
                  [[services.http_checks]]
                  path = "/healthz"
                  interval = "1s"
                  timeout = "1s"
                  grace_period = "1s"

                [deploy]
                strategy = "%s"
                max_unavailable = 1
                wait_timeout = "45s"
                """.formatted(APP, greeting, strategy));
    }

    /** Ids of the containers Outpost runs for this app (running or not). */
    List<String> containers() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--no-trunc", "--filter", "label=dev.outpost.app=" + APP).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    List<String> runningContainers() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "-q", "--no-trunc", "--filter", "label=dev.outpost.app=" + APP).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out.lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    void awaitServed(String edge, String text) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            DevLab.Result r = lab.curl(edge, HOST, "/");
            assertThat(r.exit()).as("%s edge: %s", edge, r.out()).isEqualTo(200);
            assertThat(r.out()).contains(text);
        });
    }

    @Test
    @Order(1)
    void dockerfileAppIsServedInEveryRegionByItsOwnInstances() throws Exception {
        DevLab.Result launch = lab.cli(appDir, "launch", "--region", "iad,ams,syd");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        for (String region : REGIONS) {
            awaitServed(region, "hello from " + region);
        }
        assertThat(runningContainers()).hasSize(3);
    }

    @Test
    @Order(2)
    void aKilledContainerIsRestarted() throws Exception {
        JsonNode before = instanceIn("iad");
        Process kill = new ProcessBuilder("docker", "kill", "outpost-" + before.get("id").asText()).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode now = instanceIn("iad");
            assertThat(now.get("id").asText()).isEqualTo(before.get("id").asText());
            assertThat(now.get("restarts").asInt()).isGreaterThan(before.get("restarts").asInt());
            assertThat(now.get("state").asText()).isEqualTo("started");
        });
        awaitServed("iad", "hello from iad");
    }

    JsonNode instanceIn(String region) throws Exception {
        DevLab.Result status = lab.cli(appDir, "status", "--json");
        assertThat(status.exit()).as(status.all()).isZero();
        for (JsonNode i : Json.mapper().readTree(status.out()).get("instances")) {
            if (i.get("region").asText().equals(region)) {
                return i;
            }
        }
        throw new AssertionError("no instance in " + region + ": " + status.out());
    }

    @ParameterizedTest(name = "{0} deploy under load loses no request")
    @ValueSource(strings = {"rolling", "bluegreen", "canary"})
    @Order(3)
    void deployUnderConstantLoadLosesNoRequest(String strategy) throws Exception {
        writeApp("hi-" + strategy, strategy, "exec httpd -f -p $PORT -h /www");
        Load load = new Load(lab, List.of("iad", "ams", "syd"));
        load.start();
        DevLab.Result deploy = lab.cli(appDir, "deploy");
        for (String region : REGIONS) {
            awaitServed(region, "hi-" + strategy + " from " + region);
        }
        load.stopAndJoin();
        assertThat(deploy.exit()).as(deploy.all()).isZero();
        assertThat(load.ok.get()).as("requests answered").isGreaterThan(20);
        assertThat(load.failures).as("failed requests during a %s deploy", strategy).isEmpty();
    }

    @Test
    @Order(4)
    void crashingImageFailsTheDeployAndThePreviousReleaseServes() throws Exception {
        writeApp("broken", "rolling", "echo cannot start >&2; exit 1");
        DevLab.Result deploy = lab.cli(appDir, "deploy");
        assertThat(deploy.exit()).as(deploy.all()).isEqualTo(1);
        assertThat(deploy.all()).contains("instance exited with code 1").contains("cannot start");
        for (String region : REGIONS) {
            awaitServed(region, "hi-canary from " + region);
        }
    }

    @Test
    @Order(5)
    void afterACrashOfThePlatformTheAgentsAdoptTheirContainersWithoutDuplicates() throws Exception {
        List<String> before = runningContainers();
        assertThat(before).hasSize(3);
        lab.kill();
        assertThat(runningContainers()).as("containers outlive the agents").isEqualTo(before);
        lab.start();
        for (String region : REGIONS) {
            awaitServed(region, "hi-canary from " + region);
        }
        assertThat(runningContainers()).isEqualTo(before);
        assertThat(containers()).hasSize(3);
    }

    @Test
    @Order(6)
    void destroyingTheAppRemovesItsContainers() throws Exception {
        DevLab.Result destroy = lab.cli(home, "apps", "destroy", APP, "--yes");
        assertThat(destroy.exit()).as(destroy.all()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(containers()).isEmpty());
        for (String region : REGIONS) {
            assertThat(lab.curl(region, HOST, "/").exit()).isEqualTo(404);
        }
    }

    /** Sequential GETs against the edges until stopped; bounded to 60 s and 20 000 requests. */
    static final class Load {
        final DevLab lab;
        final List<String> edges;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger ok = new AtomicInteger();
        final Map<String, String> failures = new ConcurrentHashMap<>();
        final List<Thread> threads = new ArrayList<>();

        Load(DevLab lab, List<String> edges) {
            this.lab = lab;
            this.edges = edges;
        }

        void start() {
            for (String region : edges) {
                String edge = "127." + (lab.regions.indexOf(region) + 1) + ".0.1";
                threads.add(Thread.ofPlatform().name("load-" + region).start(() -> run(edge)));
            }
        }

        private void run(String edge) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                for (int n = 0; n < 20_000 && running.get() && System.nanoTime() < deadline; n++) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + edge + ":" + lab.httpPort + "/"))
                            .header("Host", HOST).header("X-Load", Integer.toString(n)).timeout(Duration.ofSeconds(10)).build();
                    try {
                        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                        if (res.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.put(edge + " #" + n, res.statusCode() + " " + res.body().strip());
                        }
                    } catch (IOException e) {
                        failures.put(edge + " #" + n, e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        void stopAndJoin() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }
}
