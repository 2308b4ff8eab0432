package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status}, {@code releases}, {@code apps list} and {@code scale count}, as tables and as JSON. */
class ReadCommandsTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.addApp("hello", "iad", Map.of("iad", 1));
        Files.writeString(dir.resolve("index.html"), "hi");
        Files.writeString(dir.resolve("outpost.toml"), "app = \"hello\"\n");
        assertThat(run("deploy", "--dir", dir.toString()).exit()).isZero();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void statusJsonParsesAsAppStatus() throws Exception {
        Result r = run("status", "--app", "hello", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode status = Json.mapper().readTree(r.out());
        assertThat(status.path("app").path("name").asText()).isEqualTo("hello");
        assertThat(status.path("current").path("version").asInt()).isEqualTo(1);
        assertThat(status.path("current").path("status").asText()).isEqualTo("active");
    }

    @Test
    void statusTableShowsReleasesAndInstances() {
        Result r = run("status", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("App        hello").contains("Current    v1  active").contains("Deploying  -")
                .contains("Scale      iad=1")
                .contains("ID").contains("ADDRESS")
                .containsPattern("iad-1-0\\s+iad\\s+v1\\s+started\\s+passing\\s+127\\.0\\.1\\.1:20000\\s+0");
    }

    @Test
    void statusAndIpsShowTheDedicatedAddresses() throws Exception {
        fake.addresses("hello", new dev.outpost.core.api.AppAddresses("hello", 5, java.util.List.of(
                new dev.outpost.core.api.AppAddresses.Address("iad", "127.1.2.5", 5432, java.util.List.of("proxy_proto"), 2,
                        java.time.Duration.ofMinutes(30)),
                new dev.outpost.core.api.AppAddresses.Address("ams", "127.2.2.5", 5432, java.util.List.of("proxy_proto"), 2)),
                java.util.List.of("syd")));

        Result status = run("status", "--app", "hello");
        Result ips = run("ips", "--app", "hello");
        Result json = run("ips", "--app", "hello", "--json");

        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("Addresses  tcp  127.1.2.5:5432 (proxy_proto v2, idle 30m)  iad")
                .contains("           tcp  127.2.2.5:5432 (proxy_proto v2, idle 1h)  ams");
        assertThat(ips.exit()).as(ips.toString()).isZero();
        assertThat(ips.out()).contains("tcp  127.1.2.5:5432 (proxy_proto v2, idle 30m)  iad")
                .contains("Unserved   syd: no live edge there serves dedicated addresses");
        assertThat(status.out()).contains("Unserved   syd");
        JsonNode parsed = Json.mapper().readTree(json.out());
        assertThat(parsed.path("offset").asInt()).isEqualTo(5);
        assertThat(parsed.path("addresses").get(1).path("address").asText()).isEqualTo("127.2.2.5");
    }

    @Test
    void ipsSaysWhenAnAppHasNoDedicatedAddress() {
        Result r = run("ips", "--app", "hello");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("App hello has no dedicated address");
        assertThat(run("status", "--app", "hello").out()).doesNotContain("Addresses");
    }

    @Test
    void releasesJsonIsAnArrayNewestFirst() throws Exception {
        assertThat(run("deploy", "--dir", dir.toString()).exit()).isZero();

        Result r = run("releases", "--app", "hello", "--json");

        JsonNode releases = Json.mapper().readTree(r.out());
        assertThat(releases.isArray()).isTrue();
        assertThat(releases).extracting(n -> n.path("version").asInt()).containsExactly(2, 1);
    }

    @Test
    void releasesTableHasShortDigests() {
        Result r = run("releases", "--app", "hello");

        assertThat(r.out()).contains("VERSION").contains("v1").contains("active")
                .containsPattern("sha256:[0-9a-f]{12}\\s").contains("2025-01-02T03:04:05Z");
    }

    @Test
    void appsListJsonIsAnArrayOfApps() throws Exception {
        fake.addApp("zeta", "ams", Map.of());
        Result r = run("apps", "list", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode apps = Json.mapper().readTree(r.out());
        assertThat(apps).extracting(n -> n.path("name").asText()).containsExactly("hello", "zeta");
    }

    @Test
    void appsListTable() {
        Result r = run("apps", "list");
        assertThat(r.out()).contains("NAME").contains("hello").contains("iad=1").contains("v1");
    }

    @Test
    void scaleCountDefaultsToTheAppsRegions() {
        fake.addApp("multi", "iad", Map.of("iad", 1, "ams", 1));

        Result r = run("scale", "count", "3", "--app", "multi");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.app("multi").scale()).isEqualTo(Map.of("iad", 3, "ams", 3));
        assertThat(r.out()).containsPattern("ams\\s+3").containsPattern("iad\\s+3");
    }

    @Test
    void scaleCountOnNamedRegionsLeavesOthers() {
        fake.addApp("multi", "iad", Map.of("iad", 1, "ams", 1));

        assertThat(run("scale", "count", "0", "--app", "multi", "--region", "ams,syd").exit()).isZero();
        assertThat(fake.app("multi").scale()).isEqualTo(Map.of("iad", 1, "ams", 0, "syd", 0));
    }

    @Test
    void scaleCountRejectsNegativeCounts() {
        assertThat(run("scale", "count", "-1", "--app", "hello").exit()).isEqualTo(2);
    }

    private Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }
}
