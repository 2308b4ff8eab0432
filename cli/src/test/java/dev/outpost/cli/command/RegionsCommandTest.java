package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.EdgeList;
import dev.outpost.core.api.RegionRtt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost regions} against the fake API, which answers {@code GET /v1/edges} from what a test sets. */
class RegionsCommandTest {
    private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path home;
    @TempDir
    Path dir;
    FakeOutpostApi fake;
    final AtomicReference<List<EdgeInfo>> edges = new AtomicReference<>(List.of());

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.add((ex, method, path, query) -> {
            if (!path.equals("/v1/edges") || !method.equals("GET")) {
                return false;
            }
            byte[] body = Json.mapper().writeValueAsBytes(new EdgeList(7, edges.get()));
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            return true;
        });
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }

    private void measured() {
        edges.set(List.of(
                new EdgeInfo("syd-edge", "syd", "127.3.0.1:9101",
                        Map.of("ams", new RegionRtt(12.4, true), "iad", new RegionRtt(81.6, true)), T),
                new EdgeInfo("ams-edge", "ams", "127.2.0.1:9101",
                        Map.of("syd", new RegionRtt(12.9, true), "iad", new RegionRtt(40, false)), T),
                new EdgeInfo("ams-edge-2", "ams", "127.2.0.2:9101", Map.of("iad", new RegionRtt(3.25, true)), T),
                new EdgeInfo("iad-edge", "iad", "127.1.0.1:9101", Map.of("ams", new RegionRtt(30, true)), T)));
    }

    @Test
    void printsTheRegionsAndTheMatrixOfMeasuredRtts() {
        measured();

        Result r = run("regions");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("REGION\\s+NAME\\s+HOSTS")
                .containsPattern("iad\\s+IAD\\s+-")
                .containsPattern("FROM \\\\ TO \\(MS\\)\\s+IAD\\s+AMS\\s+SYD")
                // ams's nearest reachable edge to iad wins over the other, unreachable one
                .containsPattern("ams\\s+3\\.3\\s+\\.\\s+13\\R")
                .containsPattern("syd\\s+82\\s+12\\s+\\.\\R");
        assertThat(r.out().indexOf("\niad ")).as("rows in the server's region order, not by name").isPositive()
                .isLessThan(r.out().indexOf("\nams "));
        assertThat(fake.requests("GET", "/v1/edges")).hasSize(1);
    }

    @Test
    void anUnreachableRegionIsSaidSo() {
        edges.set(List.of(new EdgeInfo("ams-edge", "ams", "127.2.0.1:9101", Map.of("iad", new RegionRtt(40, false)), T)));

        Result r = run("regions");

        assertThat(r.out()).containsPattern("ams\\s+unreachable\\s+\\.\\s+-");
    }

    @Test
    void saysWhenNothingWasMeasuredYet() {
        Result r = run("regions");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("No RTT measured yet");
    }

    @Test
    void jsonHasRegionsEdgesAndTheMatrix() throws Exception {
        measured();

        Result r = run("regions", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode root = Json.mapper().readTree(r.out().getBytes(StandardCharsets.UTF_8));
        assertThat(root.path("regions")).hasSize(3);
        assertThat(root.path("edges")).hasSize(4);
        assertThat(root.path("matrix").path("syd").path("ams").path("millis").asDouble()).isEqualTo(12.4);
        assertThat(root.path("matrix").path("ams").path("iad").path("reachable").asBoolean()).isTrue();
        assertThat(root.path("matrix").path("ams").path("iad").path("millis").asDouble()).isEqualTo(3.25);
    }

    @Test
    void aServerWithoutEdgesApiFailsWithTheServersWords() {
        fake.close();

        Result r = run("regions");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the Outpost API");
    }
}
