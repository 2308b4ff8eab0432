package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end, through {@code bin/outpost} and curl: launch examples/hello in
 * three regions, each served locally; bad config and failing deploys change nothing; scale a region
 * to zero and its users are served from another region; Ctrl-C stops every instance and a
 * restart brings them back; destroying the app empties every edge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkingSkeletonTest {
    static final List<String> REGIONS = List.of("iad", "ams", "syd");
    static final String HOST = "hello.outpost.localhost";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path hello;

    @BeforeAll
    void start() throws Exception {
        lab = new DevLab(home, REGIONS).start();
        hello = copyExample("hello");
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    Path copyExample(String name) throws IOException {
        return DevLab.copyHello(home, name);
    }

    void awaitServedFrom(String edgeRegion, String servingRegion) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            DevLab.Result r = lab.curl(edgeRegion, HOST, "/");
            assertThat(r.exit()).as("status from %s's edge: %s", edgeRegion, r.out()).isEqualTo(200);
            assertThat(r.out()).contains("hello from " + servingRegion);
        });
    }

    void awaitServedFromAnotherRegion(String edgeRegion) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            DevLab.Result r = lab.curl(edgeRegion, HOST, "/");
            assertThat(r.exit()).as("status from %s's edge: %s", edgeRegion, r.out()).isEqualTo(200);
            assertThat(r.out()).containsAnyOf("hello from iad", "hello from ams").doesNotContain("hello from " + edgeRegion);
        });
    }

    @Test
    @Order(1)
    void launchServesEveryRegionFromItsOwnInstances() throws Exception {
        DevLab.Result launch = lab.cli(hello, "launch", "--region", "iad,ams,syd");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        for (String region : REGIONS) {
            awaitServedFrom(region, region);
        }
        DevLab.Result direct = lab.curl("ams", "hello", "/");
        assertThat(direct.out()).as("plain app name as Host").contains("hello from ams");
    }

    @Test
    @Order(2)
    void unknownHostIs404NamingIt() throws Exception {
        DevLab.Result r = lab.curl("iad", "nope.outpost.localhost", "/");
        assertThat(r.exit()).isEqualTo(404);
        assertThat(r.out()).contains("nope.outpost.localhost");
    }

    @Test
    @Order(3)
    void badConfigNamesKeyAndLineAndCreatesNothing() throws Exception {
        Path bad = Files.createDirectories(home.resolve("broken"));
        Files.writeString(bad.resolve("outpost.toml"), "app = \"broken\"\n\n[deploy]\nspeed = 3\n");
        DevLab.Result deploy = lab.cli(bad, "launch");
        assertThat(deploy.exit()).isEqualTo(1);
        assertThat(deploy.all()).contains("outpost.toml line 4").contains("deploy.speed").doesNotContain("Exception");
        DevLab.Result apps = lab.cli(home, "apps", "list", "--json");
        assertThat(apps.exit()).isZero();
        assertThat(apps.out()).contains("hello").doesNotContain("broken");
    }

    @Test
    @Order(4)
    void failingDeployShowsExitCodeAndLogsAndLeavesTheOldReleaseServing() throws Exception {
        Path crashing = copyExample("hello-crashing");
        String toml = Files.readString(crashing.resolve("outpost.toml"))
                .replace("cmd = \"java Hello.java\"", "cmd = \"echo starting up; echo cannot open database >&2; exit 3\"")
                .replace("wait_timeout = \"60s\"", "wait_timeout = \"40s\"");
        Files.writeString(crashing.resolve("outpost.toml"), toml);
        long start = System.nanoTime();
        DevLab.Result deploy = lab.cli(crashing, "deploy");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(deploy.exit()).as(deploy.all()).isEqualTo(1);
        assertThat(deploy.all()).contains("exited with code 3").contains("cannot open database");
        assertThat(seconds).as("failed within its deadline").isLessThan(60);
        for (String region : REGIONS) {
            awaitServedFrom(region, region);
        }
        DevLab.Result releases = lab.cli(hello, "releases", "--json");
        JsonNode list = Json.mapper().readTree(releases.out());
        assertThat(list.get(0).get("version").asInt()).isEqualTo(2);
        assertThat(list.get(0).get("status").asText()).isEqualTo("failed");
        assertThat(list.get(1).get("status").asText()).isEqualTo("active");
    }

    @Test
    @Order(5)
    void scalingSydToZeroServesSydUsersFromTheNearestOtherRegion() throws Exception {
        DevLab.Result scale = lab.cli(hello, "scale", "count", "0", "--region", "syd");
        assertThat(scale.exit()).as(scale.all()).isZero();
        // The edges order regions by the RTT they measure; on loopback every region is ~1 ms away
        // (real distance comes with the lab's WAN links), so any other region is the right answer.
        awaitServedFromAnotherRegion("syd");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            DevLab.Result status = lab.cli(hello, "status", "--json");
            assertThat(status.exit()).isZero();
            JsonNode instances = Json.mapper().readTree(status.out()).get("instances");
            assertThat(instances.findValuesAsText("region")).doesNotContain("syd").contains("iad", "ams");
        });
    }

    @Test
    @Order(6)
    void secondDevSaysTheAddressIsInUse() throws Exception {
        DevLab.Result second = lab.cli(home, "dev", "--data", home.resolve("other").toString(),
                "--api-port", Integer.toString(lab.apiPort), "--http-port", Integer.toString(lab.httpPort));
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.all()).contains("address in use: 127.0.0.1:" + lab.apiPort + " (is another outpost dev running?)")
                .doesNotContain("Exception");
    }

    @Test
    @Order(7)
    void ctrlCStopsEveryInstanceAndARestartBringsThemBack() throws Exception {
        assertThat(lab.instanceProcesses()).isNotEmpty();
        lab.interrupt();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(lab.instanceProcesses()).isEmpty());
        lab.start();
        awaitServedFrom("iad", "iad");
        awaitServedFrom("ams", "ams");
        awaitServedFromAnotherRegion("syd");
        DevLab.Result releases = lab.cli(hello, "releases", "--json");
        assertThat(Json.mapper().readTree(releases.out()).size()).isEqualTo(2);
    }

    @Test
    @Order(8)
    void destroyingTheAppMakesEveryEdgeAnswer404() throws Exception {
        DevLab.Result refused = lab.cli(home, "apps", "destroy", "hello");
        assertThat(refused.exit()).isEqualTo(2);
        DevLab.Result destroy = lab.cli(home, "apps", "destroy", "hello", "--yes");
        assertThat(destroy.exit()).as(destroy.all()).isZero();
        for (String region : REGIONS) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lab.curl(region, HOST, "/").exit()).isEqualTo(404));
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(lab.instanceProcesses()).isEmpty());
    }
}
