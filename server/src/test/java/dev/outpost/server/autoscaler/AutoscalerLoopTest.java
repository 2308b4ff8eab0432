package dev.outpost.server.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.LoadReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigParser;
import dev.outpost.core.model.App;
import dev.outpost.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop over a real store, stepped by hand on a clock the test moves: it scales up at the first pass
 * after the evidence, down only once the window held, writes the counts the scheduler reads, and records
 * one event per change.
 */
class AutoscalerLoopTest {
    static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");

    record Recorded(String app, String kind, String message, Map<String, String> data) {}

    static final class TestClock extends Clock {
        volatile Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @TempDir
    Path dir;
    Store store;
    final TestClock clock = new TestClock();
    final LoadBoard board = new LoadBoard(Duration.ofHours(1));
    final List<Recorded> events = new CopyOnWriteArrayList<>();
    AutoscalerLoop loop;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("outpost.db").toString());
        loop = new AutoscalerLoop(store, board, (app, kind, message, data) -> events.add(new Recorded(app, kind, message, data)),
                clock, AutoscalerLoop.DEFAULT_TICK);
    }

    @AfterEach
    void close() {
        loop.close();
        store.close();
    }

    void app(String name, String scale, boolean serving) throws Exception {
        AppConfig config = ConfigParser.parse("outpost.toml", """
                app = "%s"
                [build]
                cmd = "run"
                [[services]]
                internal_port = 8080
                  [services.concurrency]
                  soft_limit = 40
                  hard_limit = 50
                [scale]
                %s
                """.formatted(name, scale));
        store.createApp(name, "iad", T0);
        store.setScale(name, config.scale().regions());
        store.createRelease(name, "sha256:" + "a".repeat(64), config, T0, T0.plusSeconds(600));
        if (serving) {
            store.setCurrentRelease(name, 1);
        }
    }

    /** Each of the edges reports {@code rps} for every app every second of [from, to). */
    void reports(int from, int to, double rps, String... apps) {
        for (int s = from; s < to; s++) {
            clock.now = T0.plusSeconds(s).plusMillis(100);
            List<AppLoad> loads = java.util.Arrays.stream(apps).map(a -> new AppLoad(a, (long) rps, rps, 1, 0, 0, List.of())).toList();
            board.record(new LoadReport("iad", "iad-edge", clock.now, loads), clock.now);
        }
    }

    Map<String, Integer> scale(String app) {
        return store.findApp(app).map(App::scale).orElseThrow();
    }

    @Test
    void upAtTheNextPassDownOnlyAfterTheWindowWithAnEventEachTime() throws Exception {
        app("web", "regions = { iad = { min = 1, max = 5 } }\nscale_down_window = \"30s\"", true);

        reports(0, 3, 84, "web");
        assertThat(loop.scaleOnce()).hasSize(1);
        assertThat(scale("web")).isEqualTo(Map.of("iad", 3));
        assertThat(events).singleElement().isEqualTo(new Recorded("web", "scale.up",
                "iad 1→3: 84 req/s arriving at iad, 28 per instance at target 0.7×40",
                Map.of("region", "iad", "from", "1", "to", "3", "requests_per_second", "84", "per_instance", "28")));

        reports(3, 25, 10, "web");
        assertThat(loop.scaleOnce()).as("the window is not yet 30s of lower demand").isEmpty();
        assertThat(scale("web")).isEqualTo(Map.of("iad", 3));

        reports(25, 35, 10, "web");
        assertThat(loop.scaleOnce()).extracting(ScaleDecision::to).containsExactly(1);
        assertThat(scale("web")).isEqualTo(Map.of("iad", 1));
        assertThat(events).hasSize(2);
        assertThat(events.get(1).kind()).isEqualTo("scale.down");
        assertThat(events.get(1).message()).isEqualTo("iad 3→1: at most 10 req/s arriving at iad over the last 30s, "
                + "28 per instance at target 0.7×40");
        assertThat(loop.scaleOnce()).as("nothing left to change").isEmpty();
    }

    @Test
    void appsWithoutRangesOrWithoutAReleaseAreLeftAlone() throws Exception {
        app("fixed", "regions = { iad = 2 }", true);
        store.createApp("bare", "iad", T0);
        store.setScale("bare", Map.of("iad", 1));
        reports(0, 3, 500, "fixed", "bare");
        assertThat(loop.scaleOnce()).isEmpty();
        assertThat(scale("fixed")).isEqualTo(Map.of("iad", 2));
        assertThat(events).isEmpty();
    }

    @Test
    void aFirstDeployStillGoingIsScaledOnItsConfig() throws Exception {
        app("new", "regions = { iad = { min = 0, max = 2 } }", false);
        reports(0, 2, 30, "new");
        assertThat(loop.scaleOnce()).extracting(ScaleDecision::to).containsExactly(2);
    }
}
