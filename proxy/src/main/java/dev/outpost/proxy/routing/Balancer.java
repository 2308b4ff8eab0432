package dev.outpost.proxy.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the instance for one request (DESIGN §6, minimal): the nearest region that has a usable
 * instance, and inside it the less loaded of two random instances (power of two choices, by this
 * proxy's in-flight count). Ejected instances are used only when nothing else is left, so a
 * passive-health mistake degrades to a retry instead of an outage.
 */
public final class Balancer {

    /**
     * Picks an upstream from {@code routes}, never one in {@code exclude} (those already tried for
     * this request). Empty when every listed instance is excluded or none is listed.
     */
    public Optional<Upstream> pick(RoutingTable.AppRoutes routes, Set<Upstream> exclude) {
        long now = System.nanoTime();
        Optional<Upstream> healthy = pick(routes, exclude, now, false);
        return healthy.isPresent() ? healthy : pick(routes, exclude, now, true);
    }

    private static Optional<Upstream> pick(RoutingTable.AppRoutes routes, Set<Upstream> exclude, long now, boolean allowEjected) {
        for (RoutingTable.RegionTargets region : routes.regions()) {
            List<Upstream> usable = new ArrayList<>(region.upstreams().size());
            for (Upstream u : region.upstreams()) {
                if (!exclude.contains(u) && (allowEjected || !u.isEjected(now))) {
                    usable.add(u);
                }
            }
            if (!usable.isEmpty()) {
                return Optional.of(twoChoices(usable));
            }
        }
        return Optional.empty();
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
