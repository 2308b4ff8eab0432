package dev.outpost.proxy.routing;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.h2;
import static dev.outpost.proxy.testing.Routes.table;
import static dev.outpost.proxy.testing.Routes.target;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoutingTableTest {

    @Test
    void ordersRegionsLocalFirstThenByRoundTripTimeThenUnknownOnes() {
        RoutingTable routes = RoutingTable.from(table(3, app("hello",
                target("a1", "ams", 1001), target("x1", "mars", 1002), target("i1", "iad", 1003),
                target("l1", "lax", 1004), target("s1", "syd", 1005), target("i2", "iad", 1006))),
                "syd", RoutingTable.empty("syd"));

        RoutingTable.AppRoutes hello = routes.app("hello").orElseThrow();
        // From syd: lax 140 ms, iad 200 ms, ams 275 ms; "mars" is not in the catalog.
        assertThat(hello.regions()).extracting(RoutingTable.RegionTargets::region).containsExactly("syd", "lax", "iad", "ams", "mars");
        assertThat(hello.regions()).extracting(RoutingTable.RegionTargets::rttMillis).containsExactly(0, 140, 200, 275, -1);
        assertThat(hello.regions().get(2).upstreams()).extracting(Upstream::instanceId).containsExactly("i1", "i2");
        assertThat(routes.index()).isEqualTo(3);
    }

    @Test
    void ordersRemoteRegionsByTheRttSourceItIsGiven() {
        RttSource measured = (from, to) -> to.equals("ams") ? java.util.OptionalInt.of(30) : java.util.OptionalInt.of(90);
        RoutingTable routes = RoutingTable.from(table(1, app("hello",
                target("l1", "lax", 1001), target("a1", "ams", 1002), target("s1", "syd", 1003))),
                "syd", RoutingTable.empty("syd"), measured);

        assertThat(routes.app("hello").orElseThrow().regions()).extracting(RoutingTable.RegionTargets::region)
                .containsExactly("syd", "ams", "lax");
    }

    @Test
    void carriesWhetherAnAppsInstancesSpeakHttp2() {
        RoutingTable routes = RoutingTable.from(table(1, h2("grpc", target("g1", "iad", 1001)), app("web", target("w1", "iad", 1002))),
                "iad", RoutingTable.empty("iad"));

        assertThat(routes.app("grpc").orElseThrow().h2Backend()).isTrue();
        assertThat(routes.app("web").orElseThrow().h2Backend()).isFalse();
    }

    @Test
    void anAppThatSetsNoResponseTimeoutGetsTheEdgesForHttpAndNoneForGrpcAndOneThatSetsItGetsItForBoth() {
        dev.outpost.core.api.RoutingTable.AppRoute unset = app("web", target("w1", "iad", 1002));
        dev.outpost.core.api.RoutingTable.AppRoute set = dev.outpost.proxy.testing.Routes.responseTimeout(
                app("reports", target("r1", "iad", 1003)), java.time.Duration.ofMinutes(5));

        RoutingTable routes = RoutingTable.from(table(1, unset, set), "iad", RoutingTable.empty("iad"), RttSource.catalog(),
                java.time.Duration.ofSeconds(42));

        assertThat(routes.app("web").orElseThrow().responseTimeoutNanos()).isEqualTo(java.time.Duration.ofSeconds(42).toNanos());
        assertThat(routes.app("web").orElseThrow().grpcResponseTimeoutNanos()).isZero();
        assertThat(routes.app("reports").orElseThrow().responseTimeoutNanos()).isEqualTo(java.time.Duration.ofMinutes(5).toNanos());
        assertThat(routes.app("reports").orElseThrow().grpcResponseTimeoutNanos()).isEqualTo(java.time.Duration.ofMinutes(5).toNanos());
    }

    @Test
    void tellsAnAppWithoutInstancesFromAnUnknownApp() {
        RoutingTable routes = RoutingTable.from(table(1, app("idle")), "iad", RoutingTable.empty("iad"));

        assertThat(routes.app("idle")).hasValueSatisfying(r -> assertThat(r.isEmpty()).isTrue());
        assertThat(routes.app("nope")).isEmpty();
    }

    @Test
    void keepsUpstreamStateAcrossSwapsWhileTheInstanceStaysListed() {
        RoutingTable first = RoutingTable.from(table(1, app("hello", target("i1", "iad", 1001), target("i2", "iad", 1002))),
                "iad", RoutingTable.empty("iad"));
        Upstream i1 = first.app("hello").orElseThrow().upstreams().get(0);
        i1.begin();

        RoutingTable second = RoutingTable.from(table(2, app("hello", target("i1", "iad", 1001), target("i3", "iad", 1003))),
                "iad", first);
        RoutingTable third = RoutingTable.from(table(3, app("hello", target("i1", "iad", 1009))), "iad", second);

        assertThat(second.app("hello").orElseThrow().upstreams().get(0)).isSameAs(i1);
        assertThat(i1.inFlight()).isEqualTo(1);
        // Same id on another port is another process: fresh state.
        assertThat(third.app("hello").orElseThrow().upstreams().get(0)).isNotSameAs(i1);
    }
}
