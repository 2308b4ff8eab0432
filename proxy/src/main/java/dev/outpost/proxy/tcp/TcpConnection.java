package dev.outpost.proxy.tcp;

import dev.outpost.core.Durations;
import dev.outpost.proxy.http.HttpProxyHandler;
import dev.outpost.proxy.http.RawRelay;
import dev.outpost.proxy.http.UpstreamPool;
import dev.outpost.proxy.routing.Autostarts;
import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.Placement;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.routing.Upstream;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One user connection on a dedicated address, from accept to the relay: picks an instance of the app
 * with the edge's {@link Balancer} (DESIGN §6: local region first, then by measured RTT, power of two
 * choices), counts the connection against the instance's limits for as long as it is open (one
 * connection is one unit of load for both {@code connections} and {@code requests} apps: a raw stream has
 * no requests to count), connects, and on a connect failure ejects the instance for
 * {@link HttpProxyHandler#EJECT_FOR} and tries another, up to {@link #MAX_CONNECT_ATTEMPTS}. Nothing is
 * read from the user until the instance connection is up (the bytes wait in the kernel), so a retry never
 * has bytes to replay; what a {@code tls} chain decrypted before then (data sent with the handshake's end)
 * is held and written first, and so is an EOF that came with it (epoll reads up to a half-close
 * on its own). Then the PROXY header, if the chain asks for one, and {@link RawRelay} both
 * ways, half-close included on chains without {@code tls}.
 *
 * <p>Every instance of an {@code autostart} app stopped: the connection is held (nothing read) while the edge
 * starts the nearest one, as an HTTP request would be, then routed; a start that fails or does not finish
 * within the autostart timeout closes it. No candidate, every instance at its hard limit, or the app
 * suspended (budget): the connection is closed (raw TCP has no way to say why; the metric
 * {@code outpost_tcp_connections_total} and the log do).
 * Event loop only.
 */
final class TcpConnection extends ChannelInboundHandlerAdapter {
    static final int MAX_CONNECT_ATTEMPTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(TcpConnection.class);

    private final TcpService service;
    private final Supplier<RoutingTable> routes;
    private final Balancer balancer;
    private final UpstreamPool pool;
    private final ProxyMetrics metrics;
    private final String edgeRegion;
    private final Set<Upstream> tried = new HashSet<>();
    private final List<String> failures = new ArrayList<>();
    private final List<ByteBuf> early = new ArrayList<>();
    private boolean inputShutdown;
    private Upstream counted;
    private final RefusalLog refusals;
    /** Null: this edge starts nothing on demand. */
    private final Autostarts autostarts;
    private final Duration autostartTimeout;
    /** A start was waited for already: a connection holds for one at most. */
    private boolean held;
    /** The hold ended: by the start's outcome or by the timeout, whichever came first. */
    private boolean holdEnded;

    TcpConnection(TcpService service, Supplier<RoutingTable> routes, Balancer balancer, UpstreamPool pool, ProxyMetrics metrics,
                  String edgeRegion, Autostarts autostarts, Duration autostartTimeout, RefusalLog refusals) {
        this.refusals = refusals;
        this.autostarts = autostarts;
        this.autostartTimeout = autostartTimeout;
        this.service = service;
        this.routes = routes;
        this.balancer = balancer;
        this.pool = pool;
        this.metrics = metrics;
        this.edgeRegion = edgeRegion;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.channel().closeFuture().addListener(f -> release());
        route(ctx);
        ctx.fireChannelActive();
    }

    private void route(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        RoutingTable table = routes.get();
        Optional<String> suspended = table.suspended(service.app());
        if (suspended.isPresent()) {
            refuse(ctx, "suspended", suspended.get());
            return;
        }
        RoutingTable.AppRoutes app = table.app(service.app()).orElse(null);
        if (app == null) {
            refuse(ctx, "no_candidate", "app " + service.app() + " is not in the routing table");
            return;
        }
        if (app.isEmpty() && autostarts != null && !held && app.autostart()
                && (app.canAutostart() || autostarts.pending(app.app()))) {
            holdForStart(ctx, app);
            return;
        }
        if (tried.size() >= MAX_CONNECT_ATTEMPTS) {
            refuse(ctx, failures.isEmpty() ? "at_capacity" : "connect_failed", failures.isEmpty()
                    ? "app " + service.app() + " had no instance with room in " + MAX_CONNECT_ATTEMPTS + " tries"
                    : String.join("; ", failures));
            return;
        }
        Balancer.Choice choice = balancer.choose(app, Placement.ANY, tried);
        switch (choice) {
            case Balancer.Choice.Chosen chosen -> {
                Upstream upstream = chosen.upstream();
                if (!upstream.tryBegin(app.hardLimit())) {
                    // Another event loop took its last slot between the pick and the claim: pick again.
                    tried.add(upstream);
                    route(ctx);
                    return;
                }
                counted = upstream;
                connect(ctx, upstream);
            }
            case Balancer.Choice.AtCapacity full -> refuse(ctx, "at_capacity", "app " + service.app() + " is at capacity: "
                    + full.instances() + " instance(s) at the hard limit of " + app.hardLimit());
            case Balancer.Choice.NoCandidate none -> refuse(ctx, failures.isEmpty() ? "no_candidate" : "connect_failed",
                    failures.isEmpty() ? "app " + service.app() + " has no healthy instance in any region" : String.join("; ", failures));
        }
    }

    /**
     * Every instance of an {@code autostart} app is stopped: the edge asks for the nearest one to start
     * (one start per app, shared with HTTP requests and other connections) and holds this connection,
     * its bytes waiting in the kernel, until a routing table lists an instance or {@code autostartTimeout} ends.
     */
    private void holdForStart(ChannelHandlerContext ctx, RoutingTable.AppRoutes app) {
        held = true;
        long began = System.nanoTime();
        ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
            if (!holdEnded) {
                holdEnded = true;
                metrics.autostartHold(service.app(), "timeout", System.nanoTime() - began);
                refuse(ctx, "autostart_timeout", "app " + service.app() + " has no running instance, and starting one did not finish within "
                        + Durations.format(autostartTimeout));
            }
        }, autostartTimeout.toNanos(), TimeUnit.NANOSECONDS);
        autostarts.start(app).whenComplete((ok, error) -> ctx.executor().execute(() -> {
            if (holdEnded) {
                return;
            }
            holdEnded = true;
            timeout.cancel(false);
            if (!ctx.channel().isActive()) {
                metrics.autostartHold(service.app(), "gone", System.nanoTime() - began);
                return;
            }
            if (error != null) {
                metrics.autostartHold(service.app(), "failed", System.nanoTime() - began);
                refuse(ctx, "autostart_failed", "app " + service.app() + " has no running instance, and starting one failed: "
                        + error.getMessage());
                return;
            }
            metrics.autostartHold(service.app(), "served", System.nanoTime() - began);
            route(ctx);
        }));
    }

    private void connect(ChannelHandlerContext ctx, Upstream upstream) {
        tried.add(upstream);
        Channel client = ctx.channel();
        ChannelFuture connecting = pool.connect(upstream, client.eventLoop(), ch -> {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, service.halfClose());
            if (service.proxyProto()) {
                ch.pipeline().addLast("proxy-protocol", new ProxyProtocolEncoder());
            }
        });
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                connectFailed(ctx, upstream, f.cause());
                return;
            }
            Channel instance = f.channel();
            if (!client.isActive()) {
                instance.close();
                return;
            }
            metrics.tcpConnection(service.app(), upstream.region(), "relayed");
            metrics.routed(service.app(), upstream.region().equals(edgeRegion));
            if (service.proxyProto()) {
                instance.write(new ProxyProtocolHeader(service.proxyProtoVersion(), (InetSocketAddress) client.remoteAddress(),
                        (InetSocketAddress) client.localAddress()));
            }
            for (ByteBuf bytes : early) {
                instance.write(bytes);
            }
            early.clear();
            instance.flush();
            // Bytes from the instance may start at once (a server greeting), so both directions start together.
            instance.pipeline().addLast("relay", new RawRelay(client));
            ctx.pipeline().addLast("relay", new RawRelay(instance));
            if (inputShutdown) {
                // The user's EOF came with the early bytes: the relay passes it on after them.
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            ctx.pipeline().remove(this);
        });
    }

    private void connectFailed(ChannelHandlerContext ctx, Upstream upstream, Throwable cause) {
        upstream.eject(HttpProxyHandler.EJECT_FOR);
        release();
        metrics.connectError(service.app(), upstream.region());
        failures.add(upstream.describe() + " failed: " + cause.getMessage());
        LOG.warn("tcp {}: connecting to {} failed ({}); it is ejected for {}", service.describe(), upstream.describe(),
                cause.getMessage(), HttpProxyHandler.EJECT_FOR);
        route(ctx);
    }

    private void refuse(ChannelHandlerContext ctx, String outcome, String why) {
        metrics.tcpConnection(service.app(), ProxyMetrics.NO_REGION, outcome);
        int unlogged = refusals.admit(System.nanoTime());
        if (unlogged >= 0) {
            LOG.info("tcp {}: closing the connection from {}: {}{}", service.describe(), ctx.channel().remoteAddress(), why,
                    unlogged == 0 ? "" : " (" + unlogged + " more refused since the last such line; at most one per "
                            + RefusalLog.WINDOW.toSeconds() + " s is logged)");
        }
        ctx.close();
    }

    /** Bytes before the relay: a {@code tls} chain decrypts what came with the end of the handshake on its own. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            early.add(bytes);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::safeRelease);
        early.clear();
    }

    /** Uncounts the connection from its instance, once. */
    private void release() {
        if (counted != null) {
            counted.end();
            counted = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("tcp {}: connection {} failed before the relay started", service.describe(), ctx.channel(), cause);
        ctx.close();
    }
}
