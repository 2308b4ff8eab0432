package dev.outpost.proxy.routing;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.limited;
import static dev.outpost.proxy.testing.Routes.table;
import static dev.outpost.proxy.testing.Routes.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.RoutingTable.Target;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BalancerTest {
    private final Balancer balancer = new Balancer();

    private static RoutingTable.AppRoutes routes(String local, Target... targets) {
        return RoutingTable.from(table(1, app("hello", targets)), local, RoutingTable.empty(local)).app("hello").orElseThrow();
    }

    private static Upstream find(RoutingTable.AppRoutes routes, String id) {
        return routes.upstreams().stream().filter(u -> u.instanceId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void prefersTheLocalRegion() {
        RoutingTable.AppRoutes routes = routes("ams", target("i1", "iad", 1), target("a1", "ams", 2), target("s1", "syd", 3));

        for (int i = 0; i < 20; i++) {
            assertThat(balancer.pick(routes, Set.of())).map(Upstream::instanceId).hasValue("a1");
        }
    }

    @Test
    void leavesTheLocalRegionForTheNearestOtherOne() {
        // From syd: nrt 110 ms beats iad 200 ms and ams 275 ms.
        RoutingTable.AppRoutes routes = routes("syd", target("a1", "ams", 1), target("i1", "iad", 2), target("n1", "nrt", 3));

        assertThat(balancer.pick(routes, Set.of())).map(Upstream::instanceId).hasValue("n1");
        assertThat(balancer.pick(routes, Set.of(find(routes, "n1")))).map(Upstream::instanceId).hasValue("i1");
        assertThat(balancer.pick(routes, Set.of(find(routes, "n1"), find(routes, "i1")))).map(Upstream::instanceId).hasValue("a1");
    }

    @Test
    void picksTheLessLoadedOfTwo() {
        RoutingTable.AppRoutes routes = routes("iad", target("i1", "iad", 1), target("i2", "iad", 2));
        find(routes, "i1").begin();
        find(routes, "i1").begin();

        for (int i = 0; i < 20; i++) {
            assertThat(balancer.pick(routes, Set.of())).map(Upstream::instanceId).hasValue("i2");
        }
    }

    @Test
    void spreadsOverEquallyLoadedInstances() {
        RoutingTable.AppRoutes routes = routes("iad", target("i1", "iad", 1), target("i2", "iad", 2), target("i3", "iad", 3));
        Set<String> seen = new HashSet<>();

        for (int i = 0; i < 200; i++) {
            seen.add(balancer.pick(routes, Set.of()).orElseThrow().instanceId());
        }

        assertThat(seen).containsExactlyInAnyOrder("i1", "i2", "i3");
    }

    @Test
    void skipsAnEjectedInstanceUnlessNothingElseIsLeft() {
        RoutingTable.AppRoutes routes = routes("iad", target("i1", "iad", 1), target("a1", "ams", 2));
        find(routes, "i1").eject(Duration.ofSeconds(5));

        assertThat(balancer.pick(routes, Set.of())).map(Upstream::instanceId).hasValue("a1");
        assertThat(balancer.pick(routes, Set.of(find(routes, "a1")))).map(Upstream::instanceId).hasValue("i1");
        assertThat(balancer.pick(routes, Set.copyOf(routes.upstreams()))).isEmpty();
    }

    private static RoutingTable.AppRoutes limitedRoutes(String local, int soft, int hard, Target... targets) {
        return RoutingTable.from(table(1, limited("hello", soft, hard, "requests", targets)), local, RoutingTable.empty(local))
                .app("hello").orElseThrow();
    }

    private static void load(Upstream u, int requests) {
        for (int i = 0; i < requests; i++) {
            u.begin();
        }
    }

    @Test
    void prefersInstancesUnderTheSoftLimitOverLessLoadedPairsAboveIt() {
        RoutingTable.AppRoutes routes = limitedRoutes("iad", 2, 10, target("i1", "iad", 1), target("i2", "iad", 2), target("i3", "iad", 3));
        load(find(routes, "i1"), 2);
        load(find(routes, "i2"), 3);
        load(find(routes, "i3"), 1);

        for (int i = 0; i < 20; i++) {
            assertThat(balancer.choose(routes, Placement.ANY, Set.of()))
                    .isEqualTo(new Balancer.Choice.Chosen(find(routes, "i3")));
        }
    }

    @Test
    void staysInTheLocalRegionOverTheSoftLimitUntilItsHardLimit() {
        RoutingTable.AppRoutes routes = limitedRoutes("iad", 1, 3, target("i1", "iad", 1), target("a1", "ams", 2));
        Upstream i1 = find(routes, "i1");
        load(i1, 2);

        assertThat(balancer.pick(routes, Set.of())).hasValue(i1);
        i1.begin();
        assertThat(balancer.pick(routes, Set.of())).map(Upstream::instanceId).hasValue("a1");
    }

    @Test
    void saysAtCapacityWhenEveryInstanceIsAtItsHardLimit() {
        RoutingTable.AppRoutes routes = limitedRoutes("iad", 1, 1, target("i1", "iad", 1), target("a1", "ams", 2));
        find(routes, "i1").begin();
        find(routes, "a1").begin();

        assertThat(balancer.choose(routes, Placement.ANY, Set.of())).isEqualTo(new Balancer.Choice.AtCapacity(2));
        assertThat(find(routes, "i1").tryBegin(routes.hardLimit())).isFalse();
        assertThat(balancer.choose(routes, Placement.ANY, Set.copyOf(routes.upstreams()))).isEqualTo(new Balancer.Choice.NoCandidate());
    }

    @Test
    void placementsReorderOrNarrowTheRegions() {
        RoutingTable.AppRoutes routes = routes("ams", target("i1", "iad", 1), target("a1", "ams", 2), target("s1", "syd", 3));

        assertThat(balancer.choose(routes, Placement.preferRegion("syd"), Set.of())).isEqualTo(new Balancer.Choice.Chosen(find(routes, "s1")));
        assertThat(balancer.choose(routes, Placement.preferRegion("sin"), Set.of())).isEqualTo(new Balancer.Choice.Chosen(find(routes, "a1")));
        assertThat(balancer.choose(routes, Placement.forceRegion("iad"), Set.of())).isEqualTo(new Balancer.Choice.Chosen(find(routes, "i1")));
        assertThat(balancer.choose(routes, Placement.forceRegion("sin"), Set.of())).isEqualTo(new Balancer.Choice.NoCandidate());
        assertThat(balancer.choose(routes, Placement.forceInstance("s1"), Set.of())).isEqualTo(new Balancer.Choice.Chosen(find(routes, "s1")));
        assertThat(balancer.choose(routes, Placement.forceInstance("x9"), Set.of())).isEqualTo(new Balancer.Choice.NoCandidate());
    }

    @Test
    void anEjectionEnds() {
        RoutingTable.AppRoutes routes = routes("iad", target("i1", "iad", 1));
        Upstream i1 = find(routes, "i1");

        i1.eject(Duration.ofMillis(-1));

        assertThat(i1.isEjected(System.nanoTime())).isFalse();
    }
}
