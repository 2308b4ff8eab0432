package dev.outpost.server.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.LoadReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigParser;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.server.scheduler.ClusterView;
import dev.outpost.server.scheduler.Plan;
import dev.outpost.server.scheduler.Scheduler;
import dev.outpost.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop over a real store, stepped by hand on a clock the test moves: it scales up at the first pass
 * after the evidence, down only once the window held, writes the counts the scheduler reads, and records
 * one event per change; and ({@link IdleInstances}) stops instances that stayed idle.
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

    /**
     * The autostop pass, stepped second by second and fed by the edges' reports: idle instances stop (as
     * {@code outpost instances stop} would) after {@code autostop_after}, activity of any kind the reports carry
     * restarts the timer, {@code min_running} holds per region, a deploy or a suspension stops nothing, and the
     * scheduler keeps a stopped instance's place.
     */
    @Nested
    class IdleInstances {
        /** An app serving v1 with one started instance per id, {@code "iad:i-1"}. */
        void app(String name, String scale, String... instances) throws Exception {
            AutoscalerLoopTest.this.app(name, scale, false);
            store.scheduling().activate(name, 1, "v1 is serving", List.of());
            for (String spec : instances) {
                String[] rid = spec.split(":");
                store.insertInstance(new Instance(rid[1], name, 1, rid[0], rid[0] + "-1", "127.0.0.1", 9000, InstanceState.STARTED,
                        DesiredState.RUNNING, Health.PASSING, null, null, 0, List.of(), T0, T0));
            }
        }

        /**
         * Seconds [from, to): each second both edges (iad, syd) report what {@code load} gives for the app, then
         * the loop makes its pass. Returns the stops made, with the second each was made at.
         */
        List<String> run(int from, int to, IntFunction<List<LoadReport>> load) {
            List<String> stops = new ArrayList<>();
            for (int s = from; s < to; s++) {
                clock.now = T0.plusSeconds(s).plusMillis(100);
                for (LoadReport r : load.apply(s)) {
                    board.record(r, clock.now);
                }
                clock.now = T0.plusSeconds(s).plusMillis(200);
                loop.autostopOnce().forEach(d -> stops.add(d.instanceId() + "@" + (clock.now.getEpochSecond() - T0.getEpochSecond())));
            }
            return stops;
        }

        /** Both edges report every second; {@code region} has {@code requests} arriving for {@code app} when they are above 0. */
        static List<LoadReport> edges(String app, String region, long requests) {
            List<LoadReport> out = new ArrayList<>();
            for (String r : List.of("iad", "syd")) {
                List<AppLoad> apps = r.equals(region) && requests > 0
                        ? List.of(new AppLoad(app, requests, requests, 0, 0, 0, List.of())) : List.of();
                out.add(new LoadReport(r, r + "-edge", Instant.EPOCH, apps));
            }
            return out;
        }

        DesiredState desired(String id) {
            return store.findInstance(id).orElseThrow().desired();
        }

        @Test
        void idleInstancesStopAfterAutostopAfterAndRequestsRestartTheTimer() throws Exception {
            app("web", "regions = { iad = 1, syd = 1 }\nautostop = true\nautostart = true\nautostop_after = \"30s\"", "iad:i-iad", "syd:i-syd");

            // Users near iad for 20 s, then nobody: syd was idle from the first pass, iad from its last request.
            List<String> stops = run(0, 60, s -> edges("web", "iad", s < 20 ? 5 : 0));
            assertThat(stops).containsExactly("i-syd@30", "i-iad@49");
            assertThat(desired("i-iad")).isEqualTo(DesiredState.STOPPED);
            assertThat(desired("i-syd")).isEqualTo(DesiredState.STOPPED);
            assertThat(events).extracting(Recorded::kind).containsOnly(AutostopDecision.KIND);
            assertThat(events).extracting(Recorded::message).containsExactly(
                    "instance i-syd in syd idle for 30s (autostop_after 30s); syd keeps 0 running (min_running 0);"
                            + " autostart starts it on the next request that needs it",
                    "instance i-iad in iad idle for 30s (autostop_after 30s); iad keeps 0 running (min_running 0);"
                            + " autostart starts it on the next request that needs it");
            assertThat(events.get(1).data()).containsEntry("instance", "i-iad").containsEntry("region", "iad")
                    .containsEntry("idle_seconds", "30");

            // A stopped instance keeps its place: the scheduler neither replaces nor destroys it.
            Plan plan = new Scheduler().plan(new ClusterView(store.listApps(), Map.of("web", store.listReleases("web")),
                    List.of(new Host("iad-1", "iad", "127.0.0.1", 4096, clock.now), new Host("syd-1", "syd", "127.0.0.2", 4096, clock.now)),
                    store.listInstances("web"), clock.now));
            assertThat(plan.placements()).isEmpty();
            assertThat(plan.desiredChanges()).isEmpty();
            assertThat(run(60, 70, s -> edges("web", "iad", 0))).as("stopped once, not again").isEmpty();

            // Started again (autostart or `outpost instances start`): its idle timer starts over.
            store.setDesired("i-iad", DesiredState.RUNNING);
            assertThat(run(70, 131, s -> edges("web", "syd", s < 90 ? 1 : 0))).as("syd's users go to syd's edge; iad idle from 70")
                    .containsExactly("i-iad@100");
        }

        @Test
        void inFlightRequestsOpenConnectionsAndCrossRegionTrafficKeepInstancesRunning() throws Exception {
            app("web", "regions = { iad = 1, syd = 1 }\nautostop = true\nautostart = true\nautostop_after = \"10s\"", "iad:i-iad", "syd:i-syd");
            // One long request in flight on i-syd that syd's edge counts, no new requests anywhere: i-iad stops, i-syd does not.
            List<String> stops = run(0, 30, s -> List.of(
                    new LoadReport("iad", "iad-edge", Instant.EPOCH, List.of()),
                    new LoadReport("syd", "syd-edge", Instant.EPOCH, List.of(new AppLoad("web", 0, 0, 0, 0, 0,
                            List.of(new AppLoad.InstanceLoad("i-syd", 1, 20, 25)))))));
            assertThat(stops).containsExactly("i-iad@10");

            store.setDesired("i-iad", DesiredState.RUNNING);
            // An open user connection at syd's edge, then requests iad's edge sent to another region (served by either).
            stops = run(30, 60, s -> List.of(
                    new LoadReport("iad", "iad-edge", Instant.EPOCH, s < 38 ? List.of() : List.of(new AppLoad("web", 2, 2, 0, 2, 0, List.of()))),
                    new LoadReport("syd", "syd-edge", Instant.EPOCH, s < 38 ? List.of(new AppLoad("web", 0, 0, 1, 0, 0, List.of())) : List.of())));
            assertThat(stops).as("i-iad serves iad's edge, i-syd its connection, then maybe the cross-region requests").isEmpty();
            assertThat(run(60, 71, s -> edges("web", "none", 0))).containsExactlyInAnyOrder("i-iad@69", "i-syd@69");
        }

        @Test
        void minRunningKeepsInstancesInEachRegion() throws Exception {
            app("web", "regions = { iad = 3, syd = 1 }\nautostop = true\nautostart = true\nmin_running = 1\nautostop_after = \"5s\"",
                    "iad:i-1", "iad:i-2", "iad:i-3", "syd:i-4");
            assertThat(run(0, 20, s -> edges("web", "none", 0))).containsExactly("i-1@5", "i-2@5");
            assertThat(desired("i-3")).isEqualTo(DesiredState.RUNNING);
            assertThat(desired("i-4")).isEqualTo(DesiredState.RUNNING);
            assertThat(events.get(1).message()).contains("iad keeps 1 running (min_running 1)");
        }

        @Test
        void stoppedInstancesStillCountSoTheAutoscalerAddsNoneForDemandTheyCanServe() throws Exception {
            app("web", "regions = { iad = { min = 0, max = 3 } }\nautostop = true\nautostart = true\nautostop_after = \"5s\"",
                    "iad:i-1", "iad:i-2");
            store.setScale("web", Map.of("iad", 2));
            assertThat(run(0, 10, s -> edges("web", "none", 0))).containsExactly("i-1@5", "i-2@5");
            // Users are back at iad: 20 req/s is one instance's worth (28 each), and iad has two, stopped: autostart's to start.
            run(10, 13, s -> edges("web", "iad", 20));
            assertThat(loop.scaleOnce()).isEmpty();
            assertThat(scale("web")).isEqualTo(Map.of("iad", 2));
            run(13, 16, s -> edges("web", "iad", 70));
            assertThat(loop.scaleOnce()).as("three instances' worth").extracting(ScaleDecision::to).containsExactly(3);
        }

        @Test
        void aDeployGoingStopsNothingAndGivesEveryInstanceAWholeAutostopAfter() throws Exception {
            app("web", "regions = { iad = 1 }\nautostop = true\nautostart = true\nautostop_after = \"5s\"", "iad:i-1");
            AppConfig config = store.findRelease("web", 1).orElseThrow().config();
            store.createRelease("web", "sha256:" + "b".repeat(64), config, T0, T0.plusSeconds(600));
            assertThat(run(0, 20, s -> edges("web", "none", 0))).as("v2 is deploying").isEmpty();
            store.scheduling().activate("web", 2, "v2 is serving", List.of());
            assertThat(run(20, 30, s -> edges("web", "none", 0))).as("5 s after the last pass that saw the deploy going")
                    .containsExactly("i-1@24");
        }

        @Test
        void quietEdgesSuspendedAppsAndAppsWithoutAutostopAreLeftAlone() throws Exception {
            app("web", "regions = { iad = 1 }\nautostop = true\nautostart = true\nautostop_after = \"5s\"", "iad:i-web");
            app("fixed", "regions = { iad = 1 }", "iad:i-fixed");
            // No report at all: silence is no evidence of idleness.
            assertThat(run(0, 30, s -> List.of())).isEmpty();

            store.budgets().set("web", 10);
            store.budgets().suspend("web", "monthly budget reached", T0.plusSeconds(3600));
            // Even an instance of a suspended app wanted running again is not the autostop's to stop.
            store.setDesired("i-web", DesiredState.RUNNING);
            assertThat(run(30, 60, s -> edges("web", "none", 0))).as("suspended, and fixed has no autostop").isEmpty();
            assertThat(events).isEmpty();

            store.budgets().restore("web");
            assertThat(run(60, 70, s -> edges("web", "none", 0))).as("its idle timer starts when it is back")
                    .containsExactly("i-web@65");
            assertThat(desired("i-fixed")).isEqualTo(DesiredState.RUNNING);
        }
    }
}
