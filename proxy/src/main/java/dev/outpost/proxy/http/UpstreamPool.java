package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.Dialer;
import dev.outpost.proxy.routing.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep-alive connections to instances, per upstream and per event loop: a connection is only ever
 * used by the loop that opened it, so the pool needs no locks and a request never hops threads.
 * A connection comes back only after a complete keep-alive exchange; it is closed after
 * {@code idleTimeout} unused — shorter than the 60 s or more most app servers wait, so the proxy,
 * not the app, closes first and never writes into a connection the app just closed.
 */
public final class UpstreamPool {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamPool.class);
    /**
     * Idle connections kept per upstream and loop; more are closed when they come back. High enough
     * that a burst of concurrent clients does not churn upstream connections (each close and reopen
     * costs the instance a handshake); the idle timeout still closes what stays unused.
     */
    static final int MAX_IDLE_PER_UPSTREAM = 1024;

    private final Transport transport;
    private final ChannelGroup channels;
    private final Duration idleTimeout;
    private final Duration connectTimeout;
    private final H2UpstreamPool h2;
    private final Dialer dialer;
    private final FastThreadLocal<Map<Upstream, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<Upstream, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };

    /**
     * @param channels every connection opened is added here, so the proxy can close them all at shutdown
     */
    public UpstreamPool(Transport transport, ChannelGroup channels, Duration idleTimeout, Duration connectTimeout) {
        this(transport, channels, idleTimeout, connectTimeout, Dialer.direct());
    }

    /** With a {@link Dialer} every upstream connection goes through (the lab's WAN links). */
    public UpstreamPool(Transport transport, ChannelGroup channels, Duration idleTimeout, Duration connectTimeout, Dialer dialer) {
        this.transport = transport;
        this.channels = channels;
        this.idleTimeout = idleTimeout;
        this.connectTimeout = connectTimeout;
        this.h2 = new H2UpstreamPool(this, idleTimeout, connectTimeout);
        this.dialer = dialer;
    }

    /** A pooled, open connection to {@code upstream} owned by the calling event loop, or null. */
    public Channel poll(Upstream upstream) {
        ArrayDeque<Channel> deque = idle.get().get(upstream);
        while (deque != null && !deque.isEmpty()) {
            // Most recently used first: it is the least likely to have been closed by the instance.
            Channel channel = deque.pollFirst();
            if (channel.isActive()) {
                return channel;
            }
        }
        return null;
    }

    /** Opens a new connection to {@code upstream} on {@code loop}, which must be the caller's loop. */
    public ChannelFuture connect(Upstream upstream, EventLoop loop) {
        return connect(upstream, loop, ch -> ch.pipeline()
                .addLast("http", new UpstreamCodec())
                .addLast("idle", new IdleTimeout(idleTimeout))
                .addLast("upstream", new UpstreamHandler()));
    }

    /**
     * A stream to {@code upstream} on an HTTP/2 (h2c) connection owned by {@code loop}, the caller's
     * loop, for apps with {@code h2_backend}: it reads and writes HTTP/1.1 objects like a connection of
     * {@link #connect}, and is {@link #release released} the same way. {@code fresh} asks for a new
     * connection (the pooled one just failed a stream).
     */
    public Future<Channel> openStream(Upstream upstream, EventLoop loop, boolean fresh) {
        return h2.openStream(upstream, loop, fresh);
    }

    /**
     * Opens a connection to {@code upstream} on {@code loop} (the caller's loop) with the pipeline
     * {@code init} builds, AUTO_READ off: the one place where upstream connections are made, whatever
     * protocol they speak (HTTP/1.1, h2c, raw TCP). Only HTTP/1.1 connections come back through
     * {@link #release}.
     */
    public ChannelFuture connect(Upstream upstream, EventLoop loop, Consumer<Channel> init) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        init.accept(ch);
                    }
                });
        ChannelFuture future = bootstrap.connect(dialer.route(upstream.address()));
        Channel channel = future.channel();
        channels.add(channel);
        channel.closeFuture().addListener(f -> forget(upstream, channel));
        return future;
    }

    /**
     * Returns a connection whose last exchange completed with keep-alive. Called on the
     * connection's event loop; closes the connection when it cannot be kept.
     */
    public void release(Upstream upstream, Channel channel) {
        UpstreamHandler.of(channel).listener(null);
        if (channel instanceof Http2StreamChannel) {
            // A stream carries one exchange; its connection stays with the h2 pool.
            channel.close();
            return;
        }
        UpstreamCodec codec = UpstreamCodec.of(channel);
        if (codec != null && codec.hasUnreadBytes()) {
            LOG.debug("closing upstream connection {}: it sent bytes after the end of its response", channel);
            channel.close();
            return;
        }
        ArrayDeque<Channel> deque = idle.get().computeIfAbsent(upstream, u -> new ArrayDeque<>());
        if (!channel.isActive() || deque.size() >= MAX_IDLE_PER_UPSTREAM) {
            channel.close();
            return;
        }
        deque.addFirst(channel);
        // One outstanding read notices the instance closing the connection (or talking out of turn) while idle.
        channel.read();
    }

    /** Idle connections the calling event loop holds for {@code upstream}. */
    public int idleCount(Upstream upstream) {
        ArrayDeque<Channel> deque = idle.get().get(upstream);
        return deque == null ? 0 : deque.size();
    }

    private void forget(Upstream upstream, Channel channel) {
        ArrayDeque<Channel> deque = idle.get().get(upstream);
        if (deque != null) {
            deque.remove(channel);
            if (deque.isEmpty()) {
                idle.get().remove(upstream);
            }
        }
    }
}
