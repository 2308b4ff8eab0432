package dev.outpost.proxy.tcp;

import dev.outpost.core.api.DedicatedBlock;
import dev.outpost.core.Durations;
import dev.outpost.core.api.EdgeCertificates;
import dev.outpost.proxy.http.IdleTimeout;
import dev.outpost.proxy.http.Transport;
import dev.outpost.proxy.http.UpstreamPool;
import dev.outpost.proxy.routing.Autostarts;
import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import dev.outpost.proxy.tls.SelfSignedDefault;
import dev.outpost.proxy.tls.SniCertificates;
import dev.outpost.proxy.tls.TlsProvider;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's listeners on dedicated addresses: one per (app, port outside the shared HTTP/HTTPS
 * listeners) of the last routing table, on {@code <dedicated block> + offset : port}. Each
 * {@link #update} binds what is new and unbinds what is gone; an unbound listener's open connections
 * keep relaying until either side closes them (they drain), new connections are refused by the OS.
 * A bind that fails (address in use, address not configured on this host) is logged once, with the
 * address and what to do, and retried on later tables; the other listeners are unaffected.
 *
 * <p>Lifecycle: {@link #update} may come before {@link #open} (the table is kept and applied then);
 * {@link #stopListening} closes the listeners (a graceful shutdown then waits on {@link #drained}),
 * {@link #close} closes the listeners and every connection. {@code update}, {@code open} and
 * {@code close} are serialized by this object's lock, never called on an event loop.
 */
public final class TcpListeners implements AutoCloseable {
    /** A TLS ClientHello larger than this is refused (as on the HTTPS listener). */
    static final int MAX_CLIENT_HELLO = 16 * 1024;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(TcpListeners.class);

    private final String region;
    private final Optional<DedicatedBlock> block;
    private final Transport transport;
    private final Supplier<RoutingTable> routes;
    private final Balancer balancer;
    private final ProxyMetrics metrics;
    private final Optional<SniCertificates> sharedCertificates;
    private final Autostarts autostarts;
    private final Duration autostartTimeout;
    private final Map<TcpService, Channel> bound = new HashMap<>();
    private final Set<TcpService> failedLogged = new HashSet<>();
    private final Set<String> unservedLogged = new HashSet<>();
    private SniCertificates ownCertificates;
    private EdgeCertificates lastCertificates;
    private dev.outpost.core.api.RoutingTable pending;
    private EventLoopGroup group;
    private UpstreamPool pool;
    private ChannelGroup connections;
    private boolean closed;

    /**
     * @param block        where dedicated addresses are; empty: this edge serves no raw TCP port (logged per app)
     * @param certificates the HTTPS listener's certificates when it has one (so imports reach both); else the
     *                     {@code tls} chain gets its own, with the self-signed default, made on first use
     */
    public TcpListeners(String region, Optional<DedicatedBlock> block, Transport transport, Supplier<RoutingTable> routes,
                        Balancer balancer, ProxyMetrics metrics, Optional<SniCertificates> certificates) {
        this(region, block, transport, routes, balancer, metrics, certificates, null, Duration.ZERO);
    }

    /**
     * @param autostarts       where a connection to an {@code autostart} app whose instances are all stopped asks for
     *                         one to start (shared with the HTTP listeners); null: such connections are closed
     * @param autostartTimeout how long such a connection is held for the start
     */
    public TcpListeners(String region, Optional<DedicatedBlock> block, Transport transport, Supplier<RoutingTable> routes,
                        Balancer balancer, ProxyMetrics metrics, Optional<SniCertificates> certificates, Autostarts autostarts,
                        Duration autostartTimeout) {
        this.autostarts = autostarts;
        this.autostartTimeout = autostartTimeout;
        this.region = region;
        this.block = block;
        this.transport = transport;
        this.routes = routes;
        this.balancer = balancer;
        this.metrics = metrics;
        this.sharedCertificates = certificates;
    }

    /** Starts serving on {@code group}, connecting to instances through {@code pool}; applies a table given before. */
    public synchronized void open(EventLoopGroup group, UpstreamPool pool) {
        this.group = group;
        this.pool = pool;
        this.connections = new DefaultChannelGroup("edge-tcp-" + region, GlobalEventExecutor.INSTANCE);
        if (pending != null) {
            apply(pending);
        }
    }

    /** Binds the listeners {@code table} adds and unbinds those it drops. */
    public synchronized void update(dev.outpost.core.api.RoutingTable table) {
        pending = table;
        if (group != null && !closed) {
            apply(table);
        }
    }

    /** The certificates the {@code tls} chain presents, when it does not share the HTTPS listener's. */
    public synchronized void updateCertificates(EdgeCertificates certificates) {
        lastCertificates = certificates;
        if (ownCertificates != null) {
            ownCertificates.update(certificates);
        }
    }

    /** The address a service is listening on now, if it is bound (the real port when 0 was asked). */
    public synchronized Optional<InetSocketAddress> address(String app, int port) {
        return bound.entrySet().stream().filter(e -> e.getKey().app().equals(app) && e.getKey().port() == port)
                .map(e -> (InetSocketAddress) e.getValue().localAddress()).findFirst();
    }

    /** The services listening now. */
    public synchronized Set<TcpService> services() {
        return Set.copyOf(bound.keySet());
    }

    private void apply(dev.outpost.core.api.RoutingTable table) {
        Set<TcpService> wanted = new LinkedHashSet<>();
        for (dev.outpost.core.api.RoutingTable.AppRoute app : table.apps()) {
            boolean hasTcp = app.ports().stream().anyMatch(p -> !p.handlers().contains("http"));
            if (!hasTcp) {
                continue;
            }
            if (block.isEmpty() || app.addressOffset() <= 0) {
                if (unservedLogged.add(app.app())) {
                    LOG.warn("edge {}: app {} has ports outside the HTTP listeners but {}; they are not served here", region, app.app(),
                            block.isEmpty() ? "this edge has no dedicated block (outpost proxy --dedicated-block 10.0.2.0)"
                                    : "the routing table gives it no dedicated address");
                }
                continue;
            }
            for (dev.outpost.core.api.RoutingTable.PortRoute port : app.ports()) {
                if (!port.handlers().contains("http")) {
                    wanted.add(new TcpService(app.app(), block.get().address(app.addressOffset()), port.port(), port.handlers(),
                            port.proxyProtoVersion(), port.idleTimeout()));
                }
            }
        }
        for (TcpService gone : Set.copyOf(bound.keySet())) {
            if (!wanted.contains(gone)) {
                Channel listener = bound.remove(gone);
                listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                LOG.info("edge {}: stopped listening for {}; open connections drain", region, gone.describe());
            }
        }
        failedLogged.retainAll(wanted);
        for (TcpService service : wanted) {
            if (!bound.containsKey(service)) {
                bind(service);
            }
        }
    }

    private void bind(TcpService service) {
        // Made here, off the event loops: generating the self-signed default takes a while.
        SniCertificates certificates = service.tls() ? certificates() : null;
        RefusalLog refusals = new RefusalLog(RefusalLog.WINDOW, System.nanoTime());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, service.halfClose())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        // First, so encrypted bytes and handshakes count as activity too; the relay's writes to
                        // the user pass it, so one timer sees both directions.
                        ch.pipeline().addLast("idle", new IdleTimeout(service.idleTimeout()));
                        ch.pipeline().addLast("idle-close", new IdleClose(service, metrics));
                        if (service.tls()) {
                            ch.pipeline().addLast("tls", new SniHandler(certificates, MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT.toMillis()));
                        }
                        ch.pipeline().addLast("tcp", new TcpConnection(service, routes, balancer, pool, metrics, region, autostarts,
                                autostartTimeout, refusals));
                    }
                });
        ChannelFuture future = bootstrap.bind(service.address(), service.port()).awaitUninterruptibly();
        if (future.isSuccess()) {
            bound.put(service, future.channel());
            failedLogged.remove(service);
            LOG.info("edge {}: listening for {}", region, service.describe());
        } else if (failedLogged.add(service)) {
            LOG.error("edge {}: cannot listen for {}: {}; the app's other ports keep working. Free the port, or configure the "
                            + "address on this host (on Linux, 127.0.0.0/8 is all loopback; elsewhere e.g. `ip addr add {}/32 dev lo`)",
                    region, service.describe(), future.cause().getMessage(), service.address());
        }
    }

    private SniCertificates certificates() {
        if (sharedCertificates.isPresent()) {
            return sharedCertificates.get();
        }
        if (ownCertificates == null) {
            ownCertificates = new SniCertificates(TlsProvider.best(), SelfSignedDefault.generate());
            if (lastCertificates != null) {
                ownCertificates.update(lastCertificates);
            }
        }
        return ownCertificates;
    }

    /** Closes every listener; open connections keep relaying. Later tables bind nothing. */
    public synchronized void stopListening() {
        closed = true;
        for (Channel listener : bound.values()) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        bound.clear();
    }

    /** Completes when every connection open now has closed (at once when none is, or before {@link #open}). */
    public synchronized Future<?> drained() {
        return connections == null ? GlobalEventExecutor.INSTANCE.newSucceededFuture(null) : connections.newCloseFuture();
    }

    /** Connections open on the listeners now. */
    public synchronized int openConnections() {
        return connections == null ? 0 : connections.size();
    }

    /** Closes every listener and every connection on them. */
    @Override
    public synchronized void close() {
        stopListening();
        if (connections != null) {
            connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Closes a connection silent both ways for its service's {@code idle_timeout}; the relay then closes the instance side. */
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        private final TcpService service;
        private final ProxyMetrics metrics;

        IdleClose(TcpService service, ProxyMetrics metrics) {
            this.service = service;
            this.metrics = metrics;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                LOG.debug("tcp {}: closing {}: no byte either way for {}", service.describe(), ctx.channel().remoteAddress(),
                        Durations.format(service.idleTimeout()));
                metrics.tcpIdleClosed(service.app());
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(event);
        }
    }
}
