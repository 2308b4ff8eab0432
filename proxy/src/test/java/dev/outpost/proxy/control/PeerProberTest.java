package dev.outpost.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.outpost.core.api.RegionRtt;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rounds of probes, through scripted probes and real ones against local probe listeners. */
class PeerProberTest {
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private static Peer peer(String id, String region, int port) {
        return new Peer(id, region, new InetSocketAddress("127.0.0.1", port));
    }

    /** A probe answering from a script per port: a number of milliseconds, or a failure for null. */
    private static final class ScriptedProbe implements Probe {
        private final Map<Integer, Deque<Double>> script;

        ScriptedProbe(Map<Integer, Deque<Double>> script) {
            this.script = script;
        }

        @Override
        public Duration roundTrip(InetSocketAddress peer) throws IOException {
            Double next = script.get(peer.getPort()).poll();
            if (next == null || next < 0) {
                throw new IOException("scripted failure of " + peer);
            }
            return Duration.ofNanos((long) (next * 1_000_000));
        }
    }

    private static Deque<Double> samples(double... ms) {
        Deque<Double> d = new ArrayDeque<>();
        for (double m : ms) {
            d.add(m);
        }
        return d;
    }

    @Test
    void aRegionIsAtItsNearestEdgesSmoothedRttAndUnreachableOnlyWhenAllItsEdgesAre() {
        AtomicInteger reorders = new AtomicInteger();
        ScriptedProbe probe = new ScriptedProbe(Map.of(
                1, samples(50, 50, 50, 50),
                2, samples(100, -1, -1, -1),
                3, samples(10, -1, -1, -1)));
        PeerProber prober = new PeerProber("syd", probe, Duration.ofSeconds(2), reorders::incrementAndGet);
        prober.peers(List.of(peer("ams-1", "ams", 1), peer("iad-1", "iad", 2), peer("iad-2", "iad", 3), peer("syd-2", "syd", 4)));

        prober.probeOnce();
        assertThat(prober.rtt().snapshot()).containsEntry("ams", new RegionRtt(50, true)).containsEntry("iad", new RegionRtt(10, true))
                .doesNotContainKey("syd");
        assertThat(prober.rtt().rttMillis("syd", "iad")).isEqualTo(OptionalInt.of(10));
        assertThat(reorders).hasValue(1);

        prober.probeOnce();
        prober.probeOnce();
        assertThat(prober.rtt().snapshot().get("iad").reachable()).as("two failures in a row are not three").isTrue();

        prober.probeOnce();
        assertThat(prober.rtt().snapshot().get("iad").reachable()).isFalse();
        assertThat(prober.rtt().rttMillis("syd", "iad")).as("unreachable regions order last").isEmpty();
        assertThat(reorders).as("iad fell behind ams").hasValue(2);
    }

    @Test
    void anUnmeasuredRegionFallsBackToTheTable() {
        PeerProber prober = new PeerProber("syd", peer -> {
            throw new IOException("refused");
        }, Duration.ofSeconds(2), () -> {});
        prober.peers(List.of(peer("iad-1", "iad", 1)));

        prober.probeOnce();
        assertThat(prober.rtt().snapshot()).as("one failure is no verdict yet").isEmpty();
        assertThat(prober.rtt().rttMillis("syd", "iad")).isEqualTo(OptionalInt.of(200));
        assertThat(prober.rtt().rttMillis("syd", "ams")).isEqualTo(OptionalInt.of(275));
    }

    @Test
    void realProbesMeasureTheDelayOfALocalListenerAndMarkAClosedPortUnreachable() throws Exception {
        ProbeListener near = closing(ProbeListener.bind("127.0.0.1", 0, Duration.ofMillis(5)));
        ProbeListener far = closing(ProbeListener.bind("127.0.0.1", 0, Duration.ofMillis(60)));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        PeerProber prober = closing(new PeerProber("syd", new HttpProbe(Duration.ofSeconds(1)), Duration.ofSeconds(2), () -> {}));
        prober.peers(List.of(new Peer("ams-1", "ams", near.address()), new Peer("iad-1", "iad", far.address()),
                peer("lax-1", "lax", closedPort)));

        for (int i = 0; i < 3; i++) {
            prober.probeOnce();
        }

        Map<String, RegionRtt> rtt = prober.rtt().snapshot();
        assertThat(rtt.get("ams").millis()).isBetween(5.0, 55.0);
        assertThat(rtt.get("iad").millis()).isCloseTo(60, within(40.0)).isGreaterThan(rtt.get("ams").millis());
        assertThat(rtt.get("lax").reachable()).isFalse();
    }

    @Test
    void aProbeOfAnythingButTheProbeEndpointIsA404() throws Exception {
        ProbeListener listener = closing(ProbeListener.bind("127.0.0.1", 0));
        try (var socket = new java.net.Socket()) {
            socket.connect(listener.address(), 1000);
            socket.getOutputStream().write("GET /other HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 404").contains("GET /probe");
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        closing.add(c);
        return c;
    }
}
