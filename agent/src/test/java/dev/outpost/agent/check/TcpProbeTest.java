package dev.outpost.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpProbeTest {
    private static TcpProbe probe(int port) {
        return new TcpProbe("127.0.0.1", port, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);
    }

    @Test
    void passesWhenThePortAcceptsAConnection() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            ProbeResult r = probe(s.getLocalPort()).run();

            assertThat(r.passing()).isTrue();
            assertThat(r.detail()).isEqualTo("tcp 127.0.0.1:" + s.getLocalPort() + " → connected");
            assertThat(TcpProbe.accepts("127.0.0.1", s.getLocalPort(), Duration.ofSeconds(1))).isTrue();
        }
    }

    @Test
    void failsWithConnectRefusedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        ProbeResult r = probe(port).run();

        assertThat(r.passing()).isFalse();
        assertThat(r.detail()).isEqualTo("tcp 127.0.0.1:" + port + " → connect refused");
        assertThat(TcpProbe.accepts("127.0.0.1", port, Duration.ofSeconds(1))).isFalse();
    }
}
