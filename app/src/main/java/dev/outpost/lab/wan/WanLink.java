package dev.outpost.lab.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay that puts distance between a client and {@code destination}: it listens on a local
 * address, and for each connection it accepts it connects to the destination and relays both
 * directions, each delayed by half the round trip, in order, with bounded buffers.
 *
 * <p>The local connect to the relay costs nothing, so the link charges the handshake to the first
 * bytes instead: what the connecting side sends is delivered no earlier than accept + RTT + one way,
 * as if it had waited for a real SYN/SYN-ACK. A half-close (FIN) and a close travel with the same
 * delay, after the bytes before them.
 *
 * <pre>{@code
 * try (LinkLoops loops = new LinkLoops(Transport.best(), 1, "test");
 *      WanLink link = WanLink.open(loops, "127.0.0.1", destination, Duration.ofMillis(20))) {
 *     connect to link.address() ...
 * }
 * }</pre>
 */
public final class WanLink implements AutoCloseable {
    /** A direction holding more than this stops reading its sender. */
    public static final int HIGH_WATERMARK = 256 * 1024;
    /** ... and reads again once it holds less than this. */
    public static final int LOW_WATERMARK = 64 * 1024;
    /**
     * The relay's own socket receive buffers. Edge-triggered epoll drains a socket in one read, so
     * a fixed, small buffer (the kernel would grow it to 32 MiB) is what bounds one read past the
     * high watermark; it costs nothing on the loopback hop to the relay.
     */
    static final int RECEIVE_BUFFER = 64 * 1024;

    private final InetSocketAddress destination;
    private final Duration rtt;
    private final Channel listener;
    private final ChannelGroup connections;
    private final LinkStats stats;

    private WanLink(InetSocketAddress destination, Duration rtt, Channel listener, ChannelGroup connections, LinkStats stats) {
        this.destination = destination;
        this.rtt = rtt;
        this.listener = listener;
        this.connections = connections;
        this.stats = stats;
    }

    /**
     * Listens on {@code bindHost} (any free port) and relays to {@code destination} with the given
     * round trip; throws {@link WanLinkException} when the listener cannot bind.
     */
    public static WanLink open(LinkLoops loops, String bindHost, InetSocketAddress destination, Duration rtt) {
        return open(loops, bindHost, destination, rtt, Handshake.CHARGED);
    }

    /** As {@link #open(LinkLoops, String, InetSocketAddress, Duration)}, choosing whether the handshake is charged. */
    public static WanLink open(LinkLoops loops, String bindHost, InetSocketAddress destination, Duration rtt, Handshake handshake) {
        if (rtt == null || rtt.isNegative()) {
            throw new IllegalArgumentException("WAN link round trip must be zero or more, got " + rtt);
        }
        if (destination == null || destination.isUnresolved()) {
            throw new IllegalArgumentException("WAN link destination must be a resolved address, got " + destination);
        }
        long rttNanos = rtt.toNanos();
        long oneWay = rttNanos / 2;
        long handshakeNanos = handshake == Handshake.CHARGED ? rttNanos : 0;
        LinkStats stats = new LinkStats();
        ChannelGroup connections = new DefaultChannelGroup("wan-link-" + destination, GlobalEventExecutor.INSTANCE);
        Bootstrap outbound = new Bootstrap()
                .channel(loops.transport().clientChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .option(ChannelOption.TCP_NODELAY, true);
        ServerBootstrap server = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.transport().serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel inbound) {
                        connections.add(inbound);
                        inbound.pipeline().addLast("connect", new ConnectOnAccept(outbound, destination, connections, rttNanos, handshakeNanos, oneWay, stats));
                    }
                });
        ChannelFuture bound = server.bind(bindHost, 0).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new WanLinkException("WAN link to " + destination + " cannot listen on " + bindHost + ": " + bound.cause(), bound.cause());
        }
        return new WanLink(destination, rtt, bound.channel(), connections, stats);
    }

    /** Where clients connect to reach the destination across the link. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public InetSocketAddress destination() {
        return destination;
    }

    public Duration rtt() {
        return rtt;
    }

    /** Bytes read from one side and not yet written to the other, over all connections. */
    public long heldBytes() {
        return stats.held();
    }

    /** The most bytes one direction of one connection held at once since the link opened. */
    public long peakHeldBytes() {
        return stats.peak();
    }

    /** Stops listening and closes every relayed connection at once. */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Connects to the destination when a client is accepted, then relays both ways. */
    private static final class ConnectOnAccept extends ChannelInboundHandlerAdapter {
        private final Bootstrap outbound;
        private final InetSocketAddress destination;
        private final ChannelGroup connections;
        private final long rttNanos;
        private final long handshakeNanos;
        private final long oneWay;
        private final LinkStats stats;

        ConnectOnAccept(Bootstrap outbound, InetSocketAddress destination, ChannelGroup connections, long rttNanos,
                        long handshakeNanos, long oneWay, LinkStats stats) {
            this.outbound = outbound;
            this.destination = destination;
            this.connections = connections;
            this.rttNanos = rttNanos;
            this.handshakeNanos = handshakeNanos;
            this.oneWay = oneWay;
            this.stats = stats;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            long accepted = System.nanoTime();
            ctx.pipeline().remove(this);
            ChannelFuture connect = outbound.clone(inbound.eventLoop())
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(destination);
            Channel out = connect.channel();
            connections.add(out);
            // Both pipes from the start: the client may send, half-close or close before the connect completes.
            DelayedPipe toDestination = new DelayedPipe(inbound, out, connect, oneWay, accepted + handshakeNanos, stats);
            inbound.pipeline().addLast("to-destination", toDestination);
            connect.addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    // The refusal would come back one round trip after the SYN left.
                    inbound.eventLoop().schedule(() -> inbound.close(), rttNanos, TimeUnit.NANOSECONDS);
                    return;
                }
                if (!inbound.isOpen()) {
                    out.close();
                    return;
                }
                DelayedPipe toClient = new DelayedPipe(out, inbound, oneWay, accepted + handshakeNanos / 2, stats);
                out.pipeline().addLast("to-client", toClient);
                toDestination.start();
                toClient.start();
            });
        }
    }
}
