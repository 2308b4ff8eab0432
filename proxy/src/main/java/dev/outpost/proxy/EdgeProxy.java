package dev.outpost.proxy;

import dev.outpost.proxy.admin.AdminServer;
import dev.outpost.proxy.control.LoadReporter;
import dev.outpost.proxy.http.ClientConnectionLimit;
import dev.outpost.proxy.http.EdgeContext;
import dev.outpost.proxy.http.EdgeInitializer;
import dev.outpost.proxy.http.HttpProxyHandler;
import dev.outpost.proxy.http.Transport;
import dev.outpost.proxy.http.UpstreamPool;
import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.Dialer;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.routing.RttSource;
import dev.outpost.proxy.routing.WaitQueues;
import dev.outpost.proxy.telemetry.AccessLog;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import dev.outpost.proxy.tls.SelfSignedDefault;
import dev.outpost.proxy.tls.SniCertificates;
import dev.outpost.proxy.tls.TlsProvider;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge proxy of one region: an HTTP listener (HTTP/1.1, h2c with prior knowledge) and, when
 * configured, an HTTPS one (SNI certificates, ALPN h2 and http/1.1) that route each request by {@code Host} to
 * the nearest healthy instance of the app, on the routing table last given to {@link #update}.
 *
 * <pre>{@code
 * EdgeProxy proxy = new EdgeProxy(new ProxyConfig("iad", "127.1.0.1", 8080));
 * proxy.start();
 * RouteWatcher watcher = new RouteWatcher(api, token, proxy::update);
 * watcher.start();
 * ...
 * watcher.close();
 * proxy.close();
 * }</pre>
 *
 * Lifecycle: NEW → STARTED (start) → CLOSED (close); close from NEW is allowed, start happens once.
 */
public final class EdgeProxy implements AutoCloseable {
    /** Unused upstream connections are closed after this long: before typical app servers (60 s+) close them. */
    public static final Duration UPSTREAM_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long close() lets in-flight requests finish. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(EdgeProxy.class);

    private enum State { NEW, STARTED, CLOSED }

    private final ProxyConfig config;
    private final Transport transport;
    private final RttSource rtt;
    private final Dialer dialer;
    private final ProxyMetrics metrics;
    private final WaitQueues queues;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object updateLock = new Object();
    private volatile RoutingTable routes;
    private State state = State.NEW;
    private EventLoopGroup group;
    private ChannelGroup clients;
    private ChannelGroup upstreams;
    private volatile Channel server;
    private volatile AdminServer admin;
    private volatile Channel httpsServer;
    private final Optional<SniCertificates> tls;
    private final dev.outpost.proxy.tcp.TcpListeners tcp;
    private volatile LoadReporter loadReporter;
    private final dev.outpost.proxy.routing.Autostarts autostarts;

    public EdgeProxy(ProxyConfig config) {
        this(config, Transport.best());
    }

    /** With a chosen transport, e.g. {@link Transport#nio()} where epoll must not be used. */
    public EdgeProxy(ProxyConfig config, Transport transport) {
        this(config, transport, RttSource.catalog());
    }

    /** With the round-trip times remote regions are ordered by (the edges' measured {@code MeasuredRtt}, or the catalog's table). */
    public EdgeProxy(ProxyConfig config, Transport transport, RttSource rtt) {
        this(config, transport, rtt, Dialer.direct());
    }

    /** With a {@link Dialer} every upstream connection goes through (the lab's WAN links between regions). */
    public EdgeProxy(ProxyConfig config, Transport transport, RttSource rtt, Dialer dialer) {
        this.config = config;
        this.dialer = dialer;
        this.transport = transport;
        this.rtt = rtt;
        this.metrics = new ProxyMetrics(config.region());
        this.queues = new WaitQueues(config.limits().queueLength());
        this.routes = RoutingTable.empty(config.region());
        this.autostarts = new dev.outpost.proxy.routing.Autostarts(() -> routes, dev.outpost.proxy.routing.Autostarts.NONE,
                metrics::autostart, config.limits().autostartTimeout());
        this.tls = config.httpsPort().isPresent()
                ? Optional.of(new SniCertificates(TlsProvider.best(), SelfSignedDefault.generate()))
                : Optional.empty();
        this.tcp = new dev.outpost.proxy.tcp.TcpListeners(config.region(),
                config.dedicatedBlock().map(dev.outpost.core.api.DedicatedBlock::parse), transport, () -> routes, new Balancer(),
                metrics, tls, autostarts, config.limits().autostartTimeout());
    }

    /**
     * Binds the HTTP listener, and the admin listener when configured; throws {@link ProxyException}
     * ("address in use: HOST:PORT") when it cannot.
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new ProxyException("edge proxy of region " + config.region() + " cannot start: it is " + state.name().toLowerCase());
        }
        // One event loop per core, as HAProxy runs one thread per core: Netty's default of two per core
        // only adds context switches for a proxy whose loops never block.
        group = new MultiThreadIoEventLoopGroup(NettyRuntime.availableProcessors(), new DefaultThreadFactory("outpost-proxy-" + config.region()),
                transport.ioHandlerFactory());
        clients = new DefaultChannelGroup("edge-clients-" + config.region(), GlobalEventExecutor.INSTANCE);
        metrics.userConnections(clients::size);
        upstreams = new DefaultChannelGroup("edge-upstreams-" + config.region(), GlobalEventExecutor.INSTANCE);
        UpstreamPool pool = new UpstreamPool(transport, upstreams, UPSTREAM_IDLE_TIMEOUT, CONNECT_TIMEOUT, dialer);
        EdgeContext edge = new EdgeContext(config.region(), () -> routes, new Balancer(), pool, draining::get, queues,
                config.limits(), metrics, new AccessLog(), autostarts);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new EdgeInitializer(edge, clients, new ClientConnectionLimit(config.limits().maxConnectionsPerClient())));
        ChannelFuture bound = bootstrap.bind(config.bindHost(), config.httpPort()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            state = State.CLOSED;
            throw bindFailure(config.bindHost() + ":" + config.httpPort(), bound.cause());
        }
        if (tls.isPresent()) {
            int httpsPort = config.httpsPort().getAsInt();
            ChannelFuture httpsBound = bootstrap.clone()
                    .childHandler(new EdgeInitializer(edge, clients, new ClientConnectionLimit(config.limits().maxConnectionsPerClient()), tls))
                    .bind(config.bindHost(), httpsPort).awaitUninterruptibly();
            if (!httpsBound.isSuccess()) {
                bound.channel().close().awaitUninterruptibly();
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
                state = State.CLOSED;
                throw bindFailure(config.bindHost() + ":" + httpsPort, httpsBound.cause());
            }
            httpsServer = httpsBound.channel();
            LOG.info("edge proxy of region {} listening on https://{} ({}, default certificate {})", config.region(),
                    where((InetSocketAddress) httpsServer.localAddress()), tls.get().provider().name(), SelfSignedDefault.WILDCARD);
        }
        if (config.admin().isPresent()) {
            AdminListener listener = config.admin().get();
            ChannelFuture adminBound = AdminServer.bind(group, transport.serverChannel(), listener.host(), listener.port(), metrics)
                    .awaitUninterruptibly();
            if (!adminBound.isSuccess()) {
                bound.channel().close().awaitUninterruptibly();
                if (httpsServer != null) {
                    httpsServer.close().awaitUninterruptibly();
                }
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
                state = State.CLOSED;
                throw bindFailure(listener.host() + ":" + listener.port(), adminBound.cause());
            }
            admin = AdminServer.of(adminBound.channel());
            LOG.info("edge proxy of region {} serves metrics on http://{}/metrics", config.region(), where(admin.address()));
        }
        server = bound.channel();
        tcp.open(group, pool);
        state = State.STARTED;
        LOG.info("edge proxy of region {} listening on http://{} ({})", config.region(), where(httpAddress()), transport.name());
    }

    /** Swaps in a new routing table; requests already routed keep their instance. */
    public void update(dev.outpost.core.api.RoutingTable table) {
        synchronized (updateLock) {
            RoutingTable next = RoutingTable.from(table, config.region(), routes, rtt, config.limits().responseTimeout());
            routes = next;
            tcp.update(table);
            // New instances may have room for requests waiting at capacity, or be the ones started for held requests.
            autostarts.routesChanged(next);
            queues.wakeAll();
            LOG.debug("edge proxy of region {} routes {} apps (index {})", config.region(), next.appCount(), next.index());
        }
    }

    /** The listener's bound address (the real port when configured with 0). */
    public InetSocketAddress httpAddress() {
        Channel server = this.server;
        if (server == null) {
            throw new ProxyException("edge proxy of region " + config.region() + " is not listening: start() has not bound it");
        }
        return (InetSocketAddress) server.localAddress();
    }

    /** The HTTPS listener's bound address; throws when none is configured or the proxy is not started. */
    public InetSocketAddress httpsAddress() {
        Channel https = this.httpsServer;
        if (https == null) {
            throw new ProxyException("edge proxy of region " + config.region() + " has no HTTPS listener: "
                    + (config.httpsPort().isEmpty() ? "configure one with ProxyConfig.withHttps" : "start() has not bound it"));
        }
        return (InetSocketAddress) https.localAddress();
    }

    /**
     * Swaps in the imported certificates (typically from a {@link dev.outpost.proxy.tls.CertificateWatcher});
     * open connections keep theirs, the next handshake sees these. Ignored without an HTTPS listener.
     */
    public void updateCertificates(dev.outpost.core.api.EdgeCertificates certificates) {
        tls.ifPresent(t -> t.update(certificates));
        tcp.updateCertificates(certificates);
    }

    /** The certificates HTTPS handshakes read; empty without an HTTPS listener. */
    public Optional<SniCertificates> certificates() {
        return tls;
    }

    /** The admin listener's bound address; throws when none is configured or the proxy is not started. */
    public InetSocketAddress adminAddress() {
        AdminServer admin = this.admin;
        if (admin == null) {
            throw new ProxyException("edge proxy of region " + config.region() + " has no admin listener: "
                    + (config.admin().isEmpty() ? "configure one with ProxyConfig.withAdmin" : "start() has not bound it"));
        }
        return admin.address();
    }

    /** Requests of {@code app} waiting for an instance under its hard limit now. */
    public int waiting(String app) {
        return queues.of(app).size();
    }

    /** The routing snapshot requests and connections read now. */
    public RoutingTable routes() {
        return routes;
    }

    /** The listeners on apps' dedicated addresses (raw TCP, {@code tls}, {@code proxy_proto} ports). */
    public dev.outpost.proxy.tcp.TcpListeners tcp() {
        return tcp;
    }

    /**
     * Starts reporting this edge's load to the server at {@code api} every second ({@code POST /v1/load});
     * the reporter stops when the proxy closes, or earlier with its own {@code close()}.
     */
    public LoadReporter reportLoad(URI api, String token, String edgeId) {
        LoadReporter reporter = new LoadReporter(api, token, config.region(), edgeId, () -> routes, metrics.demand(),
                LoadReporter.DEFAULT_INTERVAL);
        reporter.start();
        loadReporter = reporter;
        return reporter;
    }

    /**
     * Lets requests start stopped instances of apps with {@code [scale] autostart} through the server at {@code api}
     * ({@code POST /v1/apps/{app}/autostart}); without it such a request is answered 503 with the reason.
     */
    public void startInstancesVia(URI api, String token, String edgeId) {
        startInstancesWith(new dev.outpost.proxy.control.ControlPlaneStarter(api, token, config.region(), edgeId));
    }

    /** Sends autostarts to {@code starter} (tests, or a control plane reached another way). */
    public void startInstancesWith(dev.outpost.proxy.routing.Autostarts.Starter starter) {
        autostarts.use(starter);
    }

    /** The meters behind {@code /metrics}, for embedding in another registry or reading in tests. */
    public ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * Stops accepting, lets requests in flight finish for up to {@link #DRAIN_TIMEOUT} (idle
     * keep-alive connections close at once, busy ones after their response; raw TCP connections get the
     * same time to close on their own), then closes everything.
     */
    @Override
    public synchronized void close() {
        if (state != State.STARTED) {
            state = State.CLOSED;
            return;
        }
        state = State.CLOSED;
        if (loadReporter != null) {
            loadReporter.close();
        }
        server.close().awaitUninterruptibly();
        if (httpsServer != null) {
            httpsServer.close().awaitUninterruptibly();
        }
        draining.set(true);
        // Raw TCP connections have no request boundary to stop at: they get the same time to end on their own.
        tcp.stopListening();
        // Requests waiting for capacity are answered now rather than at the end of their wait.
        queues.wakeAll();
        for (Channel client : clients) {
            client.eventLoop().execute(() -> {
                HttpProxyHandler handler = client.pipeline().get(HttpProxyHandler.class);
                if (handler != null) {
                    handler.drain();
                } else {
                    EdgeInitializer.goAway(client);
                }
            });
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        boolean httpDrained = clients.newCloseFuture().awaitUninterruptibly(DRAIN_TIMEOUT.toMillis());
        boolean tcpDrained = tcp.drained().awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (!httpDrained || !tcpDrained) {
            LOG.warn("edge proxy of region {}: {} connections still busy after {}, closing them", config.region(),
                    clients.size() + tcp.openConnections(), DRAIN_TIMEOUT);
        }
        tcp.close();
        clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        upstreams.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        if (admin != null) {
            admin.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("edge proxy of region {} closed", config.region());
    }

    private static ProxyException bindFailure(String where, Throwable cause) {
        boolean inUse = cause instanceof BindException
                || (cause != null && cause.getMessage() != null && cause.getMessage().contains("Address already in use"));
        return inUse ? new ProxyException("address in use: " + where, cause)
                : new ProxyException("edge proxy could not listen on " + where + ": " + cause, cause);
    }

    private static String where(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
