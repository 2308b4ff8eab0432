package dev.outpost.server.autoscaler;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.server.events.EventSink;
import dev.outpost.store.Store;
import dev.outpost.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Autoscaler} every tick (1 s) for every app whose serving release's {@code [scale]}
 * has a range: reads the app's counts and the {@link LoadBoard}, writes the changed regions with
 * {@link Store#setScale} (the write {@code outpost scale count} makes, so the scheduler places or removes
 * instances), and records each change as a {@code scale.up}/{@code scale.down} event with its reason.
 * Then {@link Autostop} for every app with {@code autostop}: it times each running instance's idleness
 * from the same reports and stops the idle ones with {@link dev.outpost.store.Scheduling#changeDesired}
 * (the write {@code outpost instances stop} makes), one {@code scale.autostop} event each.
 * One thread; {@link #close} stops it.
 */
public final class AutoscalerLoop implements AutoCloseable {
    public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(AutoscalerLoop.class);

    private final Store store;
    private final LoadBoard board;
    private final EventSink events;
    private final Clock clock;
    private final Duration tick;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;
    /** Running instance id → when its current idle run began, as this loop saw it (in memory, like the board). */
    private final Map<String, Instant> idleSince = new HashMap<>();

    public AutoscalerLoop(Store store, LoadBoard board, EventSink events, Clock clock, Duration tick) {
        if (tick == null || tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("autoscaler tick must be a positive duration, got " + tick);
        }
        this.store = store;
        this.board = board;
        this.events = events;
        this.clock = clock;
        this.tick = tick;
        this.thread = Thread.ofPlatform().name("outpost-autoscaler").daemon().unstarted(this::loop);
    }

    public void start() {
        thread.start();
    }

    /** One pass over every app; returns the changes made. Public for tests that step the loop by hand. */
    public List<ScaleDecision> scaleOnce() {
        List<ScaleDecision> all = new ArrayList<>();
        managed(AppConfig.Scale::autoscaled).forEach((app, config) -> all.addAll(scale(app, config)));
        return all;
    }

    private List<ScaleDecision> scale(App app, AppConfig config) {
        Instant now = clock.instant();
        AppConfig.Scale scale = config.scale();
        Duration length = scale.autoscale().scaleDownWindow().compareTo(board.retention()) > 0
                ? board.retention() : scale.autoscale().scaleDownWindow();
        List<ScaleDecision> decisions = Autoscaler.decide(scale, concurrency(config), board.window(app.name(), now, length),
                app.scale(), now);
        if (decisions.isEmpty()) {
            return decisions;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        decisions.forEach(d -> counts.put(d.region(), d.to()));
        store.setScale(app.name(), counts);
        for (ScaleDecision d : decisions) {
            LOG.info("app {}: {} {}", app.name(), d.kind(), d.message());
            events.record(app.name(), d.kind(), d.message(), d.data());
        }
        return decisions;
    }

    /**
     * One autostop pass over every app: brings each running instance's idle timer up to date with the
     * {@link LoadBoard}'s reports and stops those idle past {@code autostop_after}. An app that is suspended
     * is not touched; while a deploy of it goes, nothing of it stops and its timers start over (after a deploy,
     * every instance has a whole {@code autostop_after} to be used).
     * Returns the stops made. Public for tests that step the loop by hand.
     */
    public synchronized List<AutostopDecision> autostopOnce() {
        Instant now = clock.instant();
        Set<String> deploying = new HashSet<>();
        store.scheduling().deploying().forEach(r -> deploying.add(r.app()));
        Set<String> restarting = store.scheduling().restartsRequested();
        Set<String> timed = new HashSet<>();
        List<AutostopDecision> all = new ArrayList<>();
        for (Map.Entry<App, AppConfig> managed : managed(AppConfig.Scale::autostop).entrySet()) {
            App app = managed.getKey();
            AppConfig.Scale scale = managed.getValue().scale();
            List<Instance> instances = store.listInstances(app.name());
            LoadBoard.Activity activity = board.activity(app.name(), now, LoadBoard.FRESH);
            for (Instance i : instances) {
                if (!Autostop.up(i) || i.state() != InstanceState.STARTED || restarting.contains(i.id())) {
                    idleSince.remove(i.id());
                    continue;
                }
                timed.add(i.id());
                // First seen running, a deploy going (it counts as use), or the edges quiet (nothing known): idle from
                // now. Else from its last busy second.
                boolean fresh = activity.coveredSince() == null || deploying.contains(app.name());
                Instant since = fresh ? now : idleSince.getOrDefault(i.id(), now);
                Instant busy = activity.lastBusy(i.id(), i.region());
                if (busy != null && busy.isAfter(since)) {
                    since = busy;
                }
                if (activity.coveredSince() != null && activity.coveredSince().isAfter(since)) {
                    since = activity.coveredSince();
                }
                idleSince.put(i.id(), since);
            }
            if (deploying.contains(app.name())) {
                continue;
            }
            for (AutostopDecision d : Autostop.decide(scale, instances, idleSince, now)) {
                try {
                    store.scheduling().changeDesired(d.instanceId(), DesiredState.STOPPED);
                } catch (StoreException e) {
                    LOG.info("app {}: instance {} not stopped, it changed meanwhile: {}", app.name(), d.instanceId(), e.getMessage());
                    continue;
                }
                LOG.info("app {}: {} {}", app.name(), AutostopDecision.KIND, d.message());
                events.record(app.name(), AutostopDecision.KIND, d.message(), d.data());
                idleSince.remove(d.instanceId());
                timed.remove(d.instanceId());
                all.add(d);
            }
        }
        idleSince.keySet().retainAll(timed);
        return all;
    }

    /**
     * The apps whose serving config's {@code [scale]} asks for {@code wanted}, with that config, in name order. A
     * suspended app (monthly budget reached) is not among them: it stays stopped until the budget keeper restores it.
     */
    private Map<App, AppConfig> managed(Predicate<AppConfig.Scale> wanted) {
        Map<String, String> suspended = store.budgets().suspended();
        Map<App, AppConfig> out = new LinkedHashMap<>();
        for (App app : store.listApps()) {
            if (!suspended.containsKey(app.name())) {
                servingConfig(store, app).filter(c -> wanted.test(c.scale())).ifPresent(c -> out.put(app, c));
            }
        }
        return out;
    }

    /** The serving release's config, else (first deploy still going) the newest release's. */
    public static Optional<AppConfig> servingConfig(Store store, App app) {
        if (app.currentRelease() != null) {
            Optional<Release> current = store.findRelease(app.name(), app.currentRelease());
            if (current.isPresent()) {
                return Optional.ofNullable(current.get().config());
            }
        }
        return store.listReleases(app.name()).stream().findFirst().map(Release::config);
    }

    /** The app's limits: one internal port per app, so the first service's concurrency is everyone's. */
    static AppConfig.Concurrency concurrency(AppConfig config) {
        return config.services().isEmpty() ? AppConfig.Concurrency.DEFAULT : config.services().get(0).concurrency();
    }

    private void loop() {
        try {
            while (!closed.await(tick.toNanos(), TimeUnit.NANOSECONDS)) {
                try {
                    scaleOnce();
                } catch (RuntimeException e) {
                    LOG.error("autoscaler pass failed; retrying at the next tick", e);
                }
                try {
                    autostopOnce();
                } catch (RuntimeException e) {
                    LOG.error("autostop pass failed; retrying at the next tick", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
