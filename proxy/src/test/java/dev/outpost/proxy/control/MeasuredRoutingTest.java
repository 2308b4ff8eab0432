package dev.outpost.proxy.control;

import static dev.outpost.proxy.testing.ProxyFixture.echo;
import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.ProxyConfig;
import dev.outpost.proxy.http.Transport;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Edges probing each other over loopback, with the iad edge's probe endpoint answering after 80 ms
 * and the ams edge's after 10 ms: the syd edge spills to ams, its measured nearest, though the
 * table of DESIGN §10 says iad (200 ms) is nearer than ams (275 ms).
 */
class MeasuredRoutingTest {
    private final ProxyFixture fx = new ProxyFixture();

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void aSydEdgeSpillsToTheRegionItMeasuredNearestNotTheOneTheTableSays() throws Exception {
        InstanceServer iad = fx.instance("hello-iad", "iad");
        InstanceServer ams = fx.instance("hello-ams", "ams");
        ProbeListener sydProbe = fx.closing(ProbeListener.bind("127.0.0.1", 0));
        ProbeListener amsProbe = fx.closing(ProbeListener.bind("127.0.0.1", 0, Duration.ofMillis(10)));
        ProbeListener iadProbe = fx.closing(ProbeListener.bind("127.0.0.1", 0, Duration.ofMillis(80)));

        LastRoutes[] routes = new LastRoutes[1];
        PeerProber syd = fx.closing(new PeerProber("syd", new HttpProbe(Duration.ofSeconds(1)), Duration.ofMillis(100),
                () -> routes[0].reapply()));
        syd.peers(List.of(new Peer("ams-edge", "ams", amsProbe.address()), new Peer("iad-edge", "iad", iadProbe.address())));
        PeerProber amsEdge = fx.closing(new PeerProber("ams", new HttpProbe(Duration.ofSeconds(1)), Duration.ofMillis(100), () -> {}));
        amsEdge.peers(List.of(new Peer("syd-edge", "syd", sydProbe.address())));

        EdgeProxy proxy = fx.closing(new EdgeProxy(new ProxyConfig("syd", "127.0.0.1", 0), Transport.nio(), syd.rtt()));
        proxy.start();
        routes[0] = new LastRoutes(proxy::update);
        routes[0].accept(table(1, app("hello", iad.target(), ams.target())));

        assertThat(echo(fx.get(proxy, "hello", "/"))).as("before any probe, the table decides").containsEntry("instance", "hello-iad");

        syd.start();
        amsEdge.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(echo(fx.get(proxy, "hello", "/"))).containsEntry("instance", "hello-ams"));

        assertThat(syd.rtt().snapshot().get("ams").millis()).isLessThan(syd.rtt().snapshot().get("iad").millis());
        assertThat(syd.rtt().snapshot().get("iad").millis()).isGreaterThanOrEqualTo(80);
        await().atMost(Duration.ofSeconds(5)).until(() -> amsEdge.rtt().snapshot().containsKey("syd"));
        assertThat(amsEdge.rtt().snapshot().get("syd").reachable()).isTrue();
        int iadBefore = iad.requests();
        for (int i = 0; i < 5; i++) {
            assertThat(echo(fx.get(proxy, "hello", "/"))).containsEntry("instance", "hello-ams");
        }
        assertThat(iad.requests()).isEqualTo(iadBefore);
    }
}
