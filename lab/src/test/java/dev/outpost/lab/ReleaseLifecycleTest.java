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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release's life through the CLI, on examples/hello: secrets make a new release and win over
 * [env] without ever being printed; logs of every instance are searchable; a rollback brings back
 * an earlier release's config; staging runs the same artifact that promote then ships to
 * production; a stopped instance keeps its place and starts again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseLifecycleTest {
    static final List<String> REGIONS = List.of("iad", "ams");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path hello;

    @BeforeAll
    void start() throws Exception {
        lab = new DevLab(home, REGIONS).start();
        hello = DevLab.copyHello(home, "hello");
        DevLab.Result launch = lab.cli(hello, "launch", "--region", "iad,ams");
        assertThat(launch.exit()).as(launch.all()).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    void awaitServed(String app, String region, String text) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            DevLab.Result r = lab.curl(region, app + ".outpost.localhost", "/");
            assertThat(r.exit()).as(r.out()).isEqualTo(200);
            assertThat(r.out()).contains(text);
        });
    }

    void setGreeting(String greeting) throws IOException {
        Path toml = hello.resolve("outpost.toml");
        Files.writeString(toml, Files.readString(toml).replaceAll("GREETING = \"[a-z-]+\"", "GREETING = \"" + greeting + "\""));
    }

    @Test
    @Order(1)
    void aSecretMakesANewReleaseWinsOverEnvAndIsNeverPrinted() throws Exception {
        DevLab.Result set = lab.cli(hello, "secrets", "set", "GREETING=bonjour-secret");
        assertThat(set.exit()).as(set.all()).isZero();
        assertThat(set.all()).doesNotContain("bonjour-secret");
        awaitServed("hello", "iad", "bonjour-secret from iad");
        awaitServed("hello", "ams", "bonjour-secret from ams");
        DevLab.Result list = lab.cli(hello, "secrets", "list", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("GREETING").doesNotContain("bonjour-secret");
        JsonNode releases = Json.mapper().readTree(lab.cli(hello, "releases", "--json").out());
        assertThat(releases.get(0).get("version").asInt()).isEqualTo(2);
        assertThat(releases.get(0).get("message").asText()).contains("secrets changed");
        DevLab.Result unset = lab.cli(hello, "secrets", "unset", "GREETING");
        assertThat(unset.exit()).as(unset.all()).isZero();
        awaitServed("hello", "iad", "hello from iad");
    }

    @Test
    @Order(2)
    void logsOfEveryInstanceAreSearchable() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            DevLab.Result logs = lab.cli(hello, "logs", "--grep", "hello listening on");
            assertThat(logs.exit()).as(logs.all()).isZero();
            assertThat(logs.out()).contains("iad").contains("ams").contains("hello listening on");
        });
        DevLab.Result ams = lab.cli(hello, "logs", "--region", "ams", "--json");
        assertThat(ams.exit()).isZero();
        assertThat(ams.out().lines().filter(l -> !l.isBlank()).map(l -> {
            try {
                return Json.mapper().readTree(l).get("region").asText();
            } catch (IOException e) {
                throw new AssertionError(l, e);
            }
        })).isNotEmpty().containsOnly("ams");
    }

    @Test
    @Order(3)
    void rollbackBringsBackTheEarlierConfig() throws Exception {
        setGreeting("howdy");
        DevLab.Result deploy = lab.cli(hello, "deploy");
        assertThat(deploy.exit()).as(deploy.all()).isZero();
        awaitServed("hello", "iad", "howdy from iad");
        int serving = Json.mapper().readTree(lab.cli(hello, "releases", "--json").out()).get(0).get("version").asInt();
        DevLab.Result rollback = lab.cli(hello, "rollback");
        assertThat(rollback.exit()).as(rollback.all()).isZero();
        awaitServed("hello", "iad", "hello from iad");
        awaitServed("hello", "ams", "hello from ams");
        JsonNode newest = Json.mapper().readTree(lab.cli(hello, "releases", "--json").out()).get(0);
        assertThat(newest.get("version").asInt()).isEqualTo(serving + 1);
        assertThat(newest.get("message").asText()).contains("rollback");
    }

    @Test
    @Order(4)
    void stagingRunsTheArtifactThatPromoteShipsToProduction() throws Exception {
        setGreeting("staged");
        DevLab.Result staging = lab.cli(hello, "deploy", "--env", "staging");
        assertThat(staging.exit()).as(staging.all()).isZero();
        awaitServed("hello-staging", "iad", "staged from iad");
        awaitServed("hello", "iad", "hello from iad");
        String stagingDigest = Json.mapper().readTree(lab.cli(home, "releases", "--app", "hello-staging", "--json").out())
                .get(0).get("artifactDigest").asText();
        DevLab.Result promote = lab.cli(home, "promote", "hello-staging", "hello");
        assertThat(promote.exit()).as(promote.all()).isZero();
        JsonNode prod = Json.mapper().readTree(lab.cli(home, "releases", "--app", "hello", "--json").out()).get(0);
        assertThat(prod.get("artifactDigest").asText()).isEqualTo(stagingDigest);
        assertThat(prod.get("status").asText()).isEqualTo("active");
    }

    @Test
    @Order(5)
    void aStoppedInstanceKeepsItsPlaceAndStartsAgain() throws Exception {
        JsonNode list = Json.mapper().readTree(lab.cli(hello, "instances", "list", "--json").out());
        String id = null;
        for (JsonNode i : list) {
            if (i.get("region").asText().equals("ams")) {
                id = i.get("id").asText();
            }
        }
        assertThat(id).isNotNull();
        DevLab.Result stop = lab.cli(hello, "instances", "stop", id);
        assertThat(stop.exit()).as(stop.all()).isZero();
        String stopped = id;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode now = Json.mapper().readTree(lab.cli(hello, "instances", "list", "--json").out());
            assertThat(now.findValues("id").stream().map(JsonNode::asText)).contains(stopped);
            for (JsonNode i : now) {
                if (i.get("id").asText().equals(stopped)) {
                    assertThat(i.get("state").asText()).isEqualTo("stopped");
                }
            }
            assertThat(now.findValuesAsText("region").stream().filter("ams"::equals)).as("no replacement placed").hasSize(1);
        });
        awaitServed("hello", "ams", "from iad");
        DevLab.Result start = lab.cli(hello, "instances", "start", id);
        assertThat(start.exit()).as(start.all()).isZero();
        awaitServed("hello", "ams", "from ams (instance " + id);
    }
}
