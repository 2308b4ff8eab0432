package dev.outpost.server.scheduler;

import dev.outpost.core.Durations;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Desired state against actual, per app and region, as a pure function: {@code plan(view)}.
 *
 * <p>The target release of an app is its newest {@code deploying} release, else its current one.
 * In each region the target gets {@code scale[region]} instances; an instance the user stopped
 * ({@code desired = stopped}) keeps its place and counts toward that number. With no older
 * instance in a region, every missing instance is placed at once; otherwise the target's
 * {@link DeployStrategy} decides how many new instances may be pending and when old ones go. In
 * every strategy an old instance is destroyed only for a new one that passed its checks (start
 * new, wait for checks, stop old), so capacity never drops. A deploy fails when an instance of it
 * crash-loops or when its deadline passes before every new instance is healthy; its instances are
 * then destroyed and the current release, which kept serving, stays the target.
 */
public final class Scheduler {
    /** A new instance that failed this many times after its first failure fails its deploy. */
    static final int CRASH_LOOP_RESTARTS = 2;
    /** Memory reserved per instance until VM sizes carry their own. */
    static final long INSTANCE_MEMORY_MB = 256;

    public Plan plan(ClusterView view) {
        Plan plan = new Plan();
        Map<String, Integer> load = new HashMap<>();
        for (Instance i : view.instances()) {
            if (i.desired() != DesiredState.DESTROYED) {
                load.merge(i.hostId(), 1, Integer::sum);
            }
            if (i.desired() == DesiredState.DESTROYED && i.state() == InstanceState.DESTROYED) {
                plan.purge(i.id());
            }
            if (view.restartRequested().contains(i.id()) && restartCanFinish(i)) {
                plan.finishRestart(i.id());
            }
        }
        Map<String, List<Instance>> byApp = view.instances().stream()
                .filter(i -> i.desired() != DesiredState.DESTROYED)
                .collect(Collectors.groupingBy(Instance::app));
        Set<String> known = new LinkedHashSet<>();
        for (App app : view.apps()) {
            known.add(app.name());
            planApp(view, app, view.releases().getOrDefault(app.name(), List.of()),
                    byApp.getOrDefault(app.name(), List.of()), load, plan);
        }
        // Instances of apps that no longer exist: the store marks them destroyed on delete; this
        // covers any row that slipped through.
        for (Map.Entry<String, List<Instance>> e : byApp.entrySet()) {
            if (!known.contains(e.getKey())) {
                e.getValue().forEach(i -> plan.desire(i.id(), DesiredState.DESTROYED, "app " + e.getKey() + " was destroyed"));
            }
        }
        return plan;
    }

    /**
     * A restart stops first: it may start again once the agent no longer runs it (or never did).
     * When the instance is wanted otherwise since (started or destroyed), only the mark goes.
     */
    private static boolean restartCanFinish(Instance i) {
        if (i.desired() != DesiredState.STOPPED) {
            return true;
        }
        return i.state() == InstanceState.STOPPED || i.state() == InstanceState.FAILED || i.state() == InstanceState.CREATED;
    }

    private void planApp(ClusterView view, App app, List<Release> releases, List<Instance> live, Map<String, Integer> load, Plan plan) {
        List<Release> deploying = releases.stream().filter(r -> r.status() == ReleaseStatus.DEPLOYING)
                .sorted(Comparator.comparingInt(Release::version).reversed()).toList();
        Release current = releases.stream().filter(r -> Objects.equals(r.version(), app.currentRelease())).findFirst().orElse(null);
        for (int k = 1; k < deploying.size(); k++) {
            Release stale = deploying.get(k);
            plan.outcome(new Plan.ReleaseOutcome(app.name(), stale.version(), ReleaseStatus.SUPERSEDED,
                    "replaced by v" + deploying.get(0).version() + " before it finished", null));
        }
        Release target = deploying.isEmpty() ? current : deploying.get(0);
        if (target == null) {
            live.forEach(i -> plan.desire(i.id(), DesiredState.DESTROYED, "app has no release to run"));
            return;
        }
        if (target.status() == ReleaseStatus.DEPLOYING) {
            String blocked = blockedReason(view, app);
            DeployFailure failure = failure(view, target, live, blocked);
            if (failure != null) {
                plan.outcome(new Plan.ReleaseOutcome(app.name(), target.version(), ReleaseStatus.FAILED,
                        "deploy of v" + target.version() + " failed: " + failure.reason(), failure));
                List<Instance> remaining = new ArrayList<>();
                for (Instance i : live) {
                    if (i.release() == target.version()) {
                        plan.desire(i.id(), DesiredState.DESTROYED, "deploy of v" + target.version() + " failed");
                    } else {
                        remaining.add(i);
                    }
                }
                if (current == null) {
                    return;
                }
                target = current;
                live = remaining;
            }
        }
        Step step = step(app, target, live);
        boolean satisfied = true;
        Set<String> regions = new TreeSet<>(app.scale().keySet());
        live.forEach(i -> regions.add(i.region()));
        for (String region : regions) {
            int desired = app.scale().getOrDefault(region, 0);
            satisfied &= planRegion(view, app, target, step, region, desired,
                    live.stream().filter(i -> i.region().equals(region)).toList(), load, plan);
        }
        if (target.status() == ReleaseStatus.DEPLOYING && satisfied) {
            int version = target.version();
            // Blue-green held every old instance back; they go in the same write that switches routing.
            List<String> retire = step.holdOld()
                    ? live.stream().filter(i -> i.release() != version).map(Instance::id).toList() : List.of();
            plan.outcome(new Plan.ReleaseOutcome(app.name(), version, ReleaseStatus.ACTIVE,
                    "v" + version + " is serving", null, retire));
        }
    }

    /**
     * What the target's strategy allows in this pass, for the whole app. {@code canaryRegion} is set
     * while a canary deploy still waits for its first healthy instance: only that region may place
     * one instance. {@code holdOld} keeps every old instance until the release switches.
     */
    record Step(DeployStrategy strategy, String canaryRegion, boolean holdOld) {}

    private static Step step(App app, Release target, List<Instance> live) {
        DeployStrategy strategy = DeployStrategy.of(target.config().deploy());
        boolean deploying = target.status() == ReleaseStatus.DEPLOYING;
        boolean replacing = live.stream().anyMatch(i -> i.release() != target.version());
        if (!deploying || !replacing) {
            return new Step(strategy, null, false);
        }
        if (strategy == DeployStrategy.CANARY
                && live.stream().noneMatch(i -> i.release() == target.version() && i.routable())) {
            return new Step(strategy, canaryRegion(app), false);
        }
        return new Step(strategy, null, strategy == DeployStrategy.BLUEGREEN);
    }

    /** The primary region when it has a count, else the first region (by code) that has one. */
    static String canaryRegion(App app) {
        if (app.primaryRegion() != null && app.scale().getOrDefault(app.primaryRegion(), 0) > 0) {
            return app.primaryRegion();
        }
        return app.scale().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).sorted()
                .findFirst().orElse(null);
    }

    /**
     * Returns true when the region runs exactly its desired count of target instances, each healthy
     * or stopped by the user, and nothing else (for blue-green: whatever else is held back until the
     * switch).
     */
    private boolean planRegion(ClusterView view, App app, Release target, Step step, String region, int desired,
                               List<Instance> live, Map<String, Integer> load, Plan plan) {
        List<Instance> mine = live.stream().filter(i -> i.release() == target.version()).toList();
        List<Instance> others = live.stream().filter(i -> i.release() != target.version()).toList();
        long settled = mine.stream().filter(Scheduler::settled).count();
        long pending = mine.size() - settled;
        if (mine.size() < desired) {
            int toPlace = toPlace(target, step, region, desired, mine.size(), (int) pending, others.isEmpty());
            for (int k = 0; k < toPlace; k++) {
                String host = pickHost(view.hosts(), region, load);
                if (host == null) {
                    break;
                }
                load.merge(host, 1, Integer::sum);
                plan.place(new Plan.Placement(app.name(), target.version(), region, host));
            }
        } else if (mine.size() > desired) {
            mine.stream().sorted(unhealthyFirst()).limit(mine.size() - desired)
                    .forEach(i -> plan.desire(i.id(), DesiredState.DESTROYED, "scaled " + region + " to " + desired));
        }
        if (!step.holdOld()) {
            long excess = Math.min(settled, desired) + others.size() - desired;
            if (excess > 0) {
                others.stream().sorted(unhealthyFirst()).limit(excess)
                        .forEach(i -> plan.desire(i.id(), DesiredState.DESTROYED, "replaced by v" + target.version()));
            }
        }
        return settled >= desired && mine.size() <= desired && (others.isEmpty() || step.holdOld());
    }

    /** How many new instances to place now in a region that has {@code have} of {@code desired}. */
    private static int toPlace(Release target, Step step, String region, int desired, int have, int pending, boolean noOthers) {
        int missing = desired - have;
        if (step.canaryRegion() != null) {
            return region.equals(step.canaryRegion()) && have == 0 ? 1 : 0;
        }
        if (noOthers) {
            return missing;
        }
        return switch (step.strategy()) {
            case IMMEDIATE, BLUEGREEN -> missing;
            case ROLLING, CANARY -> Math.max(0, Math.min(missing, DeployStrategy.batch(target.config().deploy(), desired) - pending));
        };
    }

    /** Done for a deploy: passing its checks, or stopped because the user asked (it keeps its place). */
    private static boolean settled(Instance i) {
        return i.routable() || i.desired() == DesiredState.STOPPED;
    }

    private static Comparator<Instance> unhealthyFirst() {
        return Comparator.comparing(Instance::routable).thenComparing(Instance::createdAt, Comparator.reverseOrder());
    }

    /** The host of the region with the most free memory; ties go to the one running fewer instances. */
    static String pickHost(List<Host> hosts, String region, Map<String, Integer> load) {
        return hosts.stream().filter(h -> h.region().equals(region))
                .min(Comparator.<Host>comparingLong(h -> -(h.memoryMb() - load.getOrDefault(h.id(), 0) * INSTANCE_MEMORY_MB))
                        .thenComparingInt(h -> load.getOrDefault(h.id(), 0))
                        .thenComparing(Host::id))
                .map(Host::id).orElse(null);
    }

    private static String blockedReason(ClusterView view, App app) {
        Set<String> withHosts = view.hosts().stream().map(Host::region).collect(Collectors.toSet());
        List<String> missing = app.scale().entrySet().stream()
                .filter(e -> e.getValue() > 0 && !withHosts.contains(e.getKey())).map(Map.Entry::getKey).sorted().toList();
        return missing.isEmpty() ? null : "no agent runs in region " + String.join(", ", missing);
    }

    private static DeployFailure failure(ClusterView view, Release target, List<Instance> live, String blocked) {
        // An instance the user stopped holds no deploy back.
        List<Instance> mine = live.stream().filter(i -> i.release() == target.version() && i.desired() == DesiredState.RUNNING).toList();
        for (Instance i : mine) {
            if (i.state() == InstanceState.FAILED && i.restarts() >= CRASH_LOOP_RESTARTS) {
                return new DeployFailure(exited(i) + " in " + i.region() + " (" + (i.restarts() + 1) + " times)",
                        i.id(), i.region(), i.exitCode(), null, i.logTail());
            }
        }
        if (target.deadline() == null || !view.now().isAfter(target.deadline())) {
            return null;
        }
        String wait = Durations.format(target.config().deploy().waitTimeout());
        if (blocked != null) {
            return new DeployFailure(blocked + " (waited " + wait + ")", null, null, null, null, List.of());
        }
        Instance worst = mine.stream().filter(i -> !i.routable()).min(Comparator.comparingInt(Scheduler::badness)).orElse(null);
        if (worst == null) {
            return new DeployFailure("not every instance was healthy within " + wait, null, null, null, null, List.of());
        }
        String why;
        String check = null;
        if (worst.state() == InstanceState.FAILED) {
            why = exited(worst);
        } else if (worst.state() == InstanceState.STARTED && worst.health() == Health.FAILING) {
            check = worst.message();
            why = "its check failed: " + worst.message();
        } else if (worst.state() == InstanceState.STARTED) {
            why = "its checks gave no verdict";
        } else {
            why = "it was still " + worst.state().wire() + (worst.message() != null ? " (" + worst.message() + ")" : "");
        }
        return new DeployFailure("instance " + worst.id() + " in " + worst.region() + " was not healthy within " + wait + ": " + why,
                worst.id(), worst.region(), worst.exitCode(), check, worst.logTail());
    }

    private static String exited(Instance i) {
        return i.exitCode() != null ? "instance exited with code " + i.exitCode()
                : "instance failed" + (i.message() != null ? ": " + i.message() : "");
    }

    private static int badness(Instance i) {
        if (i.state() == InstanceState.FAILED) return 0;
        if (i.health() == Health.FAILING) return 1;
        return 2;
    }
}
