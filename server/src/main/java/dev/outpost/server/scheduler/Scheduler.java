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
 * In each region the target gets {@code scale[region]} instances. With no older instance there,
 * all are placed at once; otherwise one at a time: a new instance must pass its checks before an
 * old one is destroyed (start new, wait for checks, stop old). A deploy fails when an instance of
 * it crash-loops or when its deadline passes before every new instance is healthy; its instances
 * are then destroyed and the current release, which kept serving, stays the target.
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
        }
        Map<String, List<Instance>> byApp = view.instances().stream()
                .filter(i -> i.desired() == DesiredState.RUNNING)
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
        boolean satisfied = true;
        Set<String> regions = new TreeSet<>(app.scale().keySet());
        live.forEach(i -> regions.add(i.region()));
        for (String region : regions) {
            int desired = app.scale().getOrDefault(region, 0);
            satisfied &= planRegion(view, app, target, region, desired,
                    live.stream().filter(i -> i.region().equals(region)).toList(), load, plan);
        }
        if (target.status() == ReleaseStatus.DEPLOYING && satisfied) {
            plan.outcome(new Plan.ReleaseOutcome(app.name(), target.version(), ReleaseStatus.ACTIVE,
                    "v" + target.version() + " is serving", null));
        }
    }

    /** Returns true when the region runs exactly its desired count of healthy target instances and nothing else. */
    private boolean planRegion(ClusterView view, App app, Release target, String region, int desired, List<Instance> live,
                               Map<String, Integer> load, Plan plan) {
        List<Instance> mine = live.stream().filter(i -> i.release() == target.version()).toList();
        List<Instance> others = live.stream().filter(i -> i.release() != target.version()).toList();
        long healthy = mine.stream().filter(Instance::routable).count();
        long pending = mine.size() - healthy;
        if (mine.size() < desired) {
            int toPlace = others.isEmpty() ? desired - mine.size() : (pending == 0 ? 1 : 0);
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
        long excess = Math.min(healthy, desired) + others.size() - desired;
        if (excess > 0) {
            others.stream().sorted(unhealthyFirst()).limit(excess)
                    .forEach(i -> plan.desire(i.id(), DesiredState.DESTROYED, "replaced by v" + target.version()));
        }
        return healthy >= desired && mine.size() <= desired && others.isEmpty();
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
        List<Instance> mine = live.stream().filter(i -> i.release() == target.version()).toList();
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
