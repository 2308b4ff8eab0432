package dev.outpost.lab.wan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.proxy.routing.Dialer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WanNetworkTest {
    private static final List<String> REGIONS = List.of("iad", "ams", "syd");

    @Test
    void theModesScaleTheTablesRoundTrips() {
        assertThat(WanMode.parse("real").rtt("iad", "syd")).isEqualTo(Duration.ofMillis(200));
        assertThat(WanMode.parse("scaled").rtt("iad", "ams")).isEqualTo(Duration.ofNanos(8_500_000));
        assertThat(WanMode.parse("none").linked()).isFalse();
        assertThatThrownBy(() -> WanMode.parse("fast")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none, scaled, real").hasMessageContaining("fast");
    }

    @Test
    void addressesBelongToTheRegionOfTheirBlockAndTheServerToTheFirst() throws Exception {
        try (WanNetwork wan = new WanNetwork(WanMode.SCALED, REGIONS)) {
            assertThat(wan.regionOf(InetAddress.getByName("127.3.1.1"))).contains("syd");
            assertThat(wan.regionOf(InetAddress.getByName("127.0.0.1"))).contains("iad");
            assertThat(wan.regionOf(InetAddress.getByName("127.4.0.1"))).isEmpty();
            assertThat(wan.regionOf(InetAddress.getByName("10.0.0.1"))).isEqualTo(Optional.empty());
        }
    }

    @Test
    void onlyConnectionsAcrossRegionsGetALinkOneEachAndItDelays() throws Exception {
        try (WanNetwork wan = new WanNetwork(WanMode.SCALED, REGIONS);
             ServerSocket sydInstance = new ServerSocket(0, 50, InetAddress.getByName("127.3.1.1"))) {
            InetSocketAddress instance = new InetSocketAddress(sydInstance.getInetAddress(), sydInstance.getLocalPort());
            Dialer fromSyd = wan.dialer("syd");
            Dialer fromIad = wan.dialer("iad");
            assertThat(fromSyd.route(instance)).isEqualTo(instance);
            InetSocketAddress link = fromIad.route(instance);
            assertThat(link.getAddress().getHostAddress()).isEqualTo("127.1.255.1");
            assertThat(fromIad.route(instance)).as("one link per destination").isEqualTo(link);
            assertThat(wan.probeDialer("iad").route(instance)).as("probes have links of their own").isNotEqualTo(link);
            assertThat(wan.links()).hasSize(2);
            assertThat(wan.links()).extracting(WanLink::rtt).containsOnly(Duration.ofMillis(20));

            Thread answer = Thread.ofVirtual().start(() -> {
                try (Socket s = sydInstance.accept()) {
                    s.getOutputStream().write(s.getInputStream().read());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket client = new Socket()) {
                client.connect(link);
                long start = System.nanoTime();
                client.getOutputStream().write(7);
                InputStream in = client.getInputStream();
                assertThat(in.read()).isEqualTo(7);
                // Handshake, then there and back: two round trips of 20 ms.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
            }
            answer.join(5_000);
        }
    }

    @Test
    void theServerIsReachedThroughALinkFromEveryRegionButTheFirst() throws Exception {
        try (WanNetwork wan = new WanNetwork(WanMode.REAL, REGIONS)) {
            URI api = URI.create("http://127.0.0.1:7280");
            assertThat(wan.api("iad", api)).isEqualTo(api);
            URI fromAms = wan.api("ams", api);
            assertThat(fromAms.getHost()).isEqualTo("127.2.255.1");
            assertThat(fromAms.getPort()).isNotEqualTo(7280);
            assertThat(wan.links()).singleElement().extracting(WanLink::rtt).isEqualTo(Duration.ofMillis(85));
        }
    }

    @Test
    void withoutAWanEveryConnectionIsDirect() throws Exception {
        try (WanNetwork wan = new WanNetwork(WanMode.NONE, REGIONS)) {
            InetSocketAddress far = new InetSocketAddress("127.3.1.1", 8080);
            assertThat(wan.dialer("iad").route(far)).isEqualTo(far);
            assertThat(wan.links()).isEmpty();
            assertThatThrownBy(() -> wan.dialer("gru")).hasMessageContaining("gru").hasMessageContaining("iad, ams, syd");
        }
    }
}
