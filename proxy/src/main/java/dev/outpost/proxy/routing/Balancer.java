package dev.outpost.proxy.routing;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the instance for one request, exactly DESIGN §6:
 * <ol>
 *   <li>candidates are the listed instances (the table lists only started, healthy ones) that are
 *       not ejected and under their hard limit;</li>
 *   <li>the local region first; inside a region, instances under the soft limit beat those over it,
 *       and among equals the less loaded of two random ones wins (power of two choices);</li>
 *   <li>another region only when the local one has no candidate, nearest first by round-trip time
 *       (the table's order).</li>
 * </ol>
 * Ejected instances are used only when no other candidate is left anywhere, so a passive-health
 * mistake degrades to a retry instead of an outage. A {@link Placement} narrows or reorders the
 * regions. Nothing is counted here: the caller claims the pick with {@link Upstream#tryBegin}.
 */
public final class Balancer {
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private static final class Scratch {
        final List<Upstream> underSoft = new ArrayList<>();
        final List<Upstream> underHard = new ArrayList<>();
    }

    /** The outcome of a pick. */
    public sealed interface Choice {
        /** This instance; claim it with {@link Upstream#tryBegin}. */
        record Chosen(Upstream upstream) implements Choice {}

        /** Instances match, but every one of them is at its hard limit: the request may wait. */
        record AtCapacity(int instances) implements Choice {}

        /** No instance matches the placement, or every match was already tried. */
        record NoCandidate() implements Choice {}
    }

    /** Picks anywhere, never one in {@code exclude}; empty when nothing is left or everything is at its hard limit. */
    public Optional<Upstream> pick(RoutingTable.AppRoutes routes, Set<Upstream> exclude) {
        return choose(routes, Placement.ANY, exclude) instanceof Choice.Chosen chosen ? Optional.of(chosen.upstream()) : Optional.empty();
    }

    /** Picks for {@code placement}, never one in {@code exclude} (those already tried for this request). */
    public Choice choose(RoutingTable.AppRoutes routes, Placement placement, Set<Upstream> exclude) {
        if (placement.kind() == Placement.Kind.FORCE_INSTANCE) {
            return forcedInstance(routes, placement.value(), exclude);
        }
        List<RoutingTable.RegionTargets> order = order(routes.regions(), placement);
        long now = System.nanoTime();
        int atCapacity = 0;
        // Per-thread scratch lists and indexed loops: this runs on every request, on the event loop.
        Scratch scratch = SCRATCH.get();
        List<Upstream> underSoft = scratch.underSoft;
        List<Upstream> underHard = scratch.underHard;
        try {
            for (int pass = 0; pass < 2; pass++) {
                boolean allowEjected = pass == 1;
                for (int r = 0; r < order.size(); r++) {
                    List<Upstream> upstreams = order.get(r).upstreams();
                    underSoft.clear();
                    underHard.clear();
                    for (int i = 0; i < upstreams.size(); i++) {
                        Upstream u = upstreams.get(i);
                        if (exclude.contains(u) || u.isEjected(now) != allowEjected) {
                            continue;
                        }
                        int load = u.inFlight();
                        if (load >= routes.hardLimit()) {
                            atCapacity++;
                        } else if (load < routes.softLimit()) {
                            underSoft.add(u);
                        } else {
                            underHard.add(u);
                        }
                    }
                    if (!underSoft.isEmpty()) {
                        return new Choice.Chosen(twoChoices(underSoft));
                    }
                    if (!underHard.isEmpty()) {
                        return new Choice.Chosen(twoChoices(underHard));
                    }
                }
            }
        } finally {
            underSoft.clear();
            underHard.clear();
        }
        return atCapacity > 0 ? new Choice.AtCapacity(atCapacity) : new Choice.NoCandidate();
    }

    /** A forced instance is used even while ejected: the caller asked for that one and no other. */
    private static Choice forcedInstance(RoutingTable.AppRoutes routes, String instanceId, Set<Upstream> exclude) {
        Optional<Upstream> found = routes.instance(instanceId);
        if (found.isEmpty() || exclude.contains(found.get())) {
            return new Choice.NoCandidate();
        }
        Upstream u = found.get();
        return u.inFlight() >= routes.hardLimit() ? new Choice.AtCapacity(1) : new Choice.Chosen(u);
    }

    private static List<RoutingTable.RegionTargets> order(List<RoutingTable.RegionTargets> regions, Placement placement) {
        return switch (placement.kind()) {
            case ANY, FORCE_INSTANCE -> regions;
            case FORCE_REGION -> regions.stream().filter(r -> r.region().equals(placement.value())).toList();
            case PREFER_REGION -> {
                List<RoutingTable.RegionTargets> reordered = new ArrayList<>(regions.size());
                regions.stream().filter(r -> r.region().equals(placement.value())).forEach(reordered::add);
                regions.stream().filter(r -> !r.region().equals(placement.value())).forEach(reordered::add);
                yield reordered;
            }
        };
    }

    private static Upstream twoChoices(List<Upstream> usable) {
        if (usable.size() == 1) {
            return usable.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(usable.size());
        int b = random.nextInt(usable.size() - 1);
        if (b >= a) {
            b++;
        }
        Upstream first = usable.get(a);
        Upstream second = usable.get(b);
        return second.inFlight() < first.inFlight() ? second : first;
    }
}
