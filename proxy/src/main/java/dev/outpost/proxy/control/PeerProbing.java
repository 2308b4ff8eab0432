package dev.outpost.proxy.control;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.routing.Dialer;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Everything an edge needs to order remote regions by measured RTT, started in one call: its
 * {@link ProbeListener}, a {@link PeerProber} probing every 2 s, and the {@link EdgeHeartbeat}
 * that registers it and learns its peers.
 *
 * <pre>{@code
 * PeerProbing probing = PeerProbing.start(api, token, "syd-edge", "syd", "127.3.0.1", 0);
 * EdgeProxy proxy = new EdgeProxy(config, Transport.best(), probing.rtt());
 * proxy.start();
 * RouteWatcher watcher = new RouteWatcher(api, token, probing.routesTo(proxy::update));
 * }</pre>
 */
public final class PeerProbing implements AutoCloseable {
    /** How long one probe may take, connect and answer each. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final ProbeListener listener;
    private final PeerProber prober;
    private final EdgeHeartbeat heartbeat;
    private final AtomicReference<LastRoutes> routes;

    private PeerProbing(ProbeListener listener, PeerProber prober, EdgeHeartbeat heartbeat, AtomicReference<LastRoutes> routes) {
        this.listener = listener;
        this.prober = prober;
        this.heartbeat = heartbeat;
        this.routes = routes;
    }

    /**
     * Binds the probe listener on {@code probeHost:probePort} (0: any free port), then starts
     * probing and heartbeating; registers the bound address with the server.
     */
    public static PeerProbing start(URI api, String token, String edgeId, String region, String probeHost, int probePort) {
        return start(api, token, edgeId, region, probeHost, probePort, Dialer.direct());
    }

    /** Probing peers through {@code dialer} (the lab's WAN links between regions). */
    public static PeerProbing start(URI api, String token, String edgeId, String region, String probeHost, int probePort,
                                    Dialer dialer) {
        return start(api, token, edgeId, region, probeHost, probePort, dialer, null);
    }

    /**
     * Also reporting {@code dedicatedBlock}, the block this edge serves apps' dedicated addresses from (null: none),
     * with every heartbeat: {@code outpost ips} is built from what the live edges report.
     */
    public static PeerProbing start(URI api, String token, String edgeId, String region, String probeHost, int probePort,
                                    Dialer dialer, String dedicatedBlock) {
        ProbeListener listener = ProbeListener.bind(probeHost, probePort);
        AtomicReference<LastRoutes> routes = new AtomicReference<>();
        PeerProber prober = new PeerProber(region, new HttpProbe(PROBE_TIMEOUT, dialer), PeerProber.DEFAULT_INTERVAL, () -> {
            LastRoutes r = routes.get();
            if (r != null) {
                r.reapply();
            }
        });
        EdgeHeartbeat heartbeat;
        try {
            heartbeat = new EdgeHeartbeat(api, token, edgeId, region, listener.hostPort(), prober, dedicatedBlock,
                    EdgeHeartbeat.DEFAULT_INTERVAL);
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        PeerProbing probing = new PeerProbing(listener, prober, heartbeat, routes);
        prober.start();
        heartbeat.start();
        return probing;
    }

    /** The measured round trips, for {@code new EdgeProxy(config, transport, rtt())}. */
    public MeasuredRtt rtt() {
        return prober.rtt();
    }

    /** Wraps the proxy's {@code update} so the last table is applied again whenever the measured region order changes. */
    public Consumer<RoutingTable> routesTo(Consumer<RoutingTable> update) {
        LastRoutes last = new LastRoutes(update);
        routes.set(last);
        return last;
    }

    /** Keeps {@code outpost_proxy_peer_rtt_seconds} of {@code metrics} (the edge's admin listener) current after every round. */
    public void reportTo(ProxyMetrics metrics) {
        prober.reportTo(metrics);
    }

    /** {@code host:port} where peers probe this edge. */
    public String probeAddress() {
        return listener.hostPort();
    }

    @Override
    public void close() {
        heartbeat.close();
        prober.close();
        listener.close();
    }
}
