package dev.outpost.server.scheduler;

import dev.outpost.core.Ids;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.watch.IndexWatch;
import dev.outpost.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's loop: on every change (and every second, for deadlines) it snapshots the store
 * into a {@link ClusterView}, asks {@link Scheduler} for a {@link Plan} and applies it. One thread,
 * so plans never race each other; level-triggered, so a plan lost to a crash is simply made again.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration TICK = Duration.ofSeconds(1);

    private final Store store;
    private final IndexWatch watch;
    private final Clock clock;
    private final dev.outpost.server.events.EventSink events;
    /** Instance id -> restarts of the failure already announced, so each failure is one event. */
    private final Map<String, Integer> failuresSeen = new HashMap<>();
    private final Scheduler scheduler = new Scheduler();
    private final Thread thread;
    private volatile boolean running = true;

    public Reconciler(Store store, IndexWatch watch, Clock clock) {
        this(store, watch, clock, (app, kind, message, data) -> { });
    }

    /** A loop that records deploy outcomes and instance failures as events in {@code events}. */
    public Reconciler(Store store, IndexWatch watch, Clock clock, dev.outpost.server.events.EventSink events) {
        this.store = store;
        this.watch = watch;
        this.clock = clock;
        this.events = events;
        this.thread = Thread.ofPlatform().name("outpost-scheduler").daemon().unstarted(this::loop);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        long seen = 0;
        while (running) {
            try {
                seen = watch.await(seen, TICK);
                reconcileOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("scheduler pass failed; retrying on the next change", e);
            }
        }
    }

    /** One pass: view, plan, apply. Public for tests that step the loop by hand. */
    public Plan reconcileOnce() {
        Instant now = clock.instant();
        // The reads are separate transactions, so their order matters: hosts, then instances (an
        // instance added after the hosts were read is seen, never one missing from hosts that could
        // take a duplicate), then releases before the apps that point at them (an app read before
        // its release turned active would look as if it had no release to run, and lose its
        // instances).
        List<Host> hosts = store.listHosts();
        List<Instance> instances = store.listInstances();
        Set<String> restarts = store.scheduling().restartsRequested();
        Map<String, List<Release>> releases = new HashMap<>();
        for (App app : store.listApps()) {
            releases.put(app.name(), store.listReleases(app.name()));
        }
        List<App> apps = store.listApps().stream().filter(a -> releases.containsKey(a.name())).toList();
        ClusterView view = new ClusterView(apps, releases, hosts, instances, restarts, now);
        Plan plan = scheduler.plan(view);
        announceFailures(instances);
        apply(plan, view, now);
        return plan;
    }

    private void apply(Plan plan, ClusterView view, Instant now) {
        // Instances first: a failed deploy's instances are out of routing before the release stops
        // deploying (a blue-green deploy's new set never takes traffic, even for a moment).
        for (Plan.DesiredChange c : plan.desiredChanges()) {
            store.setDesired(c.instanceId(), c.desired());
            log.info("instance {}: desired {} ({})", c.instanceId(), c.desired().wire(), c.reason());
        }
        for (Plan.ReleaseOutcome o : plan.outcomes()) {
            if (o.status() == ReleaseStatus.ACTIVE) {
                // One write: the old release superseded, this one current and active, the retired
                // set destroyed; the edges see it as one index, so routing switches in one step.
                store.scheduling().activate(o.app(), o.version(), o.message(), o.retire());
            } else {
                store.updateRelease(o.app(), o.version(), o.status(), o.message(), o.failure());
            }
            log.info("{} v{}: {} ({}){}", o.app(), o.version(), o.status().wire(), o.message(),
                    o.retire().isEmpty() ? "" : "; retiring " + o.retire());
            events.record(o.app(), "deploy." + o.status().wire(), o.message(), Map.of("version", Integer.toString(o.version())));
        }
        Set<String> suspended = plan.placements().isEmpty() ? Set.of() : store.budgets().suspended().keySet();
        for (Plan.Placement p : plan.placements()) {
            if (suspended.contains(p.app())) {
                continue; // a suspended app (monthly budget reached) keeps its instances stopped: nothing new is placed
            }
            Instance i = new Instance(Ids.instance(), p.app(), p.release(), p.region(), p.hostId(), null, null,
                    InstanceState.CREATED, DesiredState.RUNNING, Health.UNKNOWN, null, null, 0, List.of(), now, now);
            store.insertInstance(i);
            log.info("placed {} v{} in {} on {} as {}", p.app(), p.release(), p.region(), p.hostId(), i.id());
        }
        for (String id : plan.restarts()) {
            if (store.scheduling().finishRestart(id)) {
                log.info("instance {}: stopped for its restart, starting it again", id);
            }
        }
        for (String id : plan.purges()) {
            store.deleteInstance(id, now);
        }
    }

    private void announceFailures(List<Instance> instances) {
        Set<String> present = new java.util.HashSet<>();
        for (Instance i : instances) {
            present.add(i.id());
            if (i.state() == InstanceState.FAILED && !Integer.valueOf(i.restarts()).equals(failuresSeen.get(i.id()))) {
                failuresSeen.put(i.id(), i.restarts());
                events.record(i.app(), "instance.failed", "instance " + i.id() + " in " + i.region() + " failed"
                                + (i.exitCode() != null ? " with exit code " + i.exitCode() : "") + (i.message() != null ? ": " + i.message() : ""),
                        Map.of("instance", i.id(), "region", i.region(), "restarts", Integer.toString(i.restarts())));
            }
        }
        failuresSeen.keySet().retainAll(present);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
