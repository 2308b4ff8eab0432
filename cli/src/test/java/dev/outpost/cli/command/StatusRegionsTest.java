package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.AppLoadStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost status} shows per region the desired count and range, running instances and reported demand. */
class StatusRegionsTest {
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
    void showsRangesCountsAndDemandPerRegion() {
        AppLoadStatus load = new AppLoadStatus("hello", true, List.of(
                new AppLoadStatus.RegionLoad("iad", 1, 5, 3, 2, 84, 0, 0, 12, Instant.now()),
                new AppLoadStatus.RegionLoad("syd", 0, 3, 0, 0, 0, 0, 0, 0, null)));
        fake.add((ex, method, path, query) -> {
            if (!path.equals("/v1/apps/hello/load")) {
                return false;
            }
            byte[] body = Json.mapper().writeValueAsBytes(load);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            return true;
        });
        Result r = run("status", "--dir", dir.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Regions (autoscaled)")
                .containsPattern("iad\\s+3 \\(1–5\\)\\s+2\\s+84\\.0\\s+0\\.0\\s+0\\.0\\s+12")
                .containsPattern("syd\\s+0 \\(0–3\\)\\s+0\\s+-\\s+-\\s+-\\s+-");
    }

    @Test
    void aServerWithoutLoadViewsStillShowsStatus() {
        Result r = run("status", "--dir", dir.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("App        hello").doesNotContain("Regions");
    }

    private Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }
}
