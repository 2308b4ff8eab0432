package dev.outpost.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.http.Transport;
import dev.outpost.proxy.http.UpstreamPool;
import dev.outpost.proxy.routing.Dialer;
import dev.outpost.proxy.routing.Upstream;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every connection the proxy opens goes where its {@link Dialer} says: upstreams and peer probes alike. */
class DialerTest {
    @Test
    void peerProbesConnectWhereTheDialerRoutesThem() throws Exception {
        InetSocketAddress nobody = closedPort();
        List<InetSocketAddress> asked = new ArrayList<>();
        try (ProbeListener listener = ProbeListener.bind("127.0.0.1", 0)) {
            HttpProbe probe = new HttpProbe(Duration.ofSeconds(1), destination -> {
                asked.add(destination);
                return listener.address();
            });
            assertThat(probe.roundTrip(nobody)).isPositive();
        }
        assertThat(asked).containsExactly(nobody);
    }

    @Test
    void upstreamConnectionsConnectWhereTheDialerRoutesThem() throws Exception {
        InetSocketAddress nobody = closedPort();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transport.nio().ioHandlerFactory());
        ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try (ServerSocket instance = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress real = new InetSocketAddress(instance.getInetAddress(), instance.getLocalPort());
            UpstreamPool pool = new UpstreamPool(Transport.nio(), channels, Duration.ofSeconds(30), Duration.ofSeconds(1),
                    destination -> destination.equals(nobody) ? real : destination);
            ChannelFuture connect = group.next().submit(() -> pool.connect(new Upstream("i-1", "iad", nobody, 1), group.next()))
                    .get(5, TimeUnit.SECONDS);
            assertThat(connect.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
            assertThat(connect.isSuccess()).as("connected to %s through the dialer: %s", real, connect.cause()).isTrue();
            try (Socket accepted = instance.accept()) {
                assertThat(accepted.getLocalPort()).isEqualTo(real.getPort());
            }
        } finally {
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static InetSocketAddress closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
        }
    }
}
