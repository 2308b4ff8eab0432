package dev.outpost.proxy.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * The edge's meters (issue 4, operations), each tagged with the app and, where one served it, the
 * instance's region. Names as Prometheus shows them:
 * <ul>
 *   <li>{@code outpost_proxy_requests_total{app,region,status}}: requests answered; {@code region="none"}
 *       when the proxy answered itself (404, 503, 400…)</li>
 *   <li>{@code outpost_proxy_request_duration_seconds{app}}: a histogram, first byte of the request to last byte of the response</li>
 *   <li>{@code outpost_proxy_upstream_connect_errors_total{app,region}}</li>
 *   <li>{@code outpost_proxy_routing_decisions_total{app,locality="local"|"remote"}}</li>
 *   <li>{@code outpost_proxy_queue_wait_seconds{app,outcome="served"|"timeout"|"full"|"gone"}}: a histogram</li>
 *   <li>{@code outpost_proxy_peer_rtt_seconds{peer,peer_region}}: the smoothed round trip to each peer edge the RTT
 *       probes reach now (a peer not measured yet or unreachable has no series)</li>
 *   <li>{@code outpost_proxy_replays_total{app,outcome="replayed"|"refused"}}</li>
 *   <li>{@code outpost_proxy_connections}: user connections open on the HTTP and HTTPS listeners</li>
 *   <li>{@code outpost_proxy_rejected_total{reason}}: malformed or oversized requests, connections over the per-client cap,
 *       HTTP/2 connections closed for a protocol error ({@code h2_protocol}) or a flood ({@code h2_flood})</li>
 *   <li>{@code outpost_tcp_connections_total{app,region,outcome}}: connections accepted on dedicated addresses;
 *       {@code outcome} is relayed, no_candidate, at_capacity, connect_failed, suspended, autostart_failed or autostart_timeout ({@code region="none"} unless relayed)</li>
 * </ul>
 * Thread-safe; every event loop records into the same registry.
 */
public final class ProxyMetrics {
    /** The {@code region} tag of answers no instance gave. */
    public static final String NO_REGION = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * The per-request meters, found once per app and then per region and status: a builder's
     * {@code register} sorts the tags and looks the id up on every call, and even a record key's
     * hash and equals showed on the keep-alive path (bench/proxy). Lookups here hash only the app
     * name (a String, its hash cached) and the region. Bounded as the tags are: deployed apps (or
     * "none"), regions, status codes.
     */
    private final ConcurrentHashMap<String, AppMeters> apps = new ConcurrentHashMap<>();

    /** One app's per-request meters. */
    private final class AppMeters {
        private final String app;
        private final Timer duration;
        private final Counter local;
        private final Counter remote;
        /** Per serving region, the request counters by status code (100-599), made on first use. */
        private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byRegion = new ConcurrentHashMap<>();

        AppMeters(String app) {
            this.app = app;
            this.duration = Timer.builder("outpost.proxy.request.duration")
                    .description("Time from a request's first byte to its response's last")
                    .tags("app", app)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry);
            this.local = routed("local");
            this.remote = routed("remote");
        }

        private Counter routed(String locality) {
            return Counter.builder("outpost.proxy.routing.decisions").description("Instances chosen, in the edge's region or another")
                    .tags("app", app, "locality", locality).register(registry);
        }

        Counter requests(String region, int status) {
            AtomicReferenceArray<Counter> codes = byRegion.get(region);
            if (codes == null) {
                codes = byRegion.computeIfAbsent(region, r -> new AtomicReferenceArray<>(600));
            }
            int slot = status >= 0 && status < 600 ? status : 0;
            Counter counter = codes.get(slot);
            if (counter == null) {
                // Two loops may race here: register returns the one meter for the same tags either way.
                counter = Counter.builder("outpost.proxy.requests")
                        .description("Requests answered, by app, serving region and status")
                        .tags("app", app, "region", region, "status", Integer.toString(status))
                        .register(registry);
                codes.set(slot, counter);
            }
            return counter;
        }
    }

    private final EdgeDemand demand = new EdgeDemand();
    private final MultiGauge peerRtt;

    /** @param edgeRegion tagged on every meter as {@code edge}, so several edges can share one Prometheus */
    public ProxyMetrics(String edgeRegion) {
        registry.config().commonTags("edge", edgeRegion);
        peerRtt = MultiGauge.builder("outpost.proxy.peer.rtt").description("Smoothed round trip to each reachable peer edge")
                .baseUnit("seconds").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The per-app demand counters the load reports are made of. */
    public EdgeDemand demand() {
        return demand;
    }

    /** A request is over: answered with {@code status} by an instance in {@code region}, or by the proxy ({@link #NO_REGION}). */
    public void request(String app, String region, int status, long durationNanos) {
        AppMeters meters = meters(app);
        meters.requests(region, status).increment();
        meters.duration.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    private AppMeters meters(String app) {
        AppMeters meters = apps.get(app);
        return meters != null ? meters : apps.computeIfAbsent(app, AppMeters::new);
    }

    public void connectError(String app, String region) {
        Counter.builder("outpost.proxy.upstream.connect.errors").description("Connections to instances that failed")
                .tags("app", app, "region", region).register(registry).increment();
    }

    /** An instance sent no response head within the app's response timeout after the whole request reached it; the user got a 504. */
    public void responseTimeout(String app, String region) {
        Counter.builder("outpost.proxy.upstream.response.timeouts").description("Requests answered 504: the instance sent no response in time")
                .tags("app", app, "region", region).register(registry).increment();
    }

    /** An instance was chosen for a request: in this edge's region ({@code local}) or another. */
    public void routed(String app, boolean local) {
        AppMeters meters = meters(app);
        (local ? meters.local : meters.remote).increment();
    }

    /** A request waited for capacity; {@code outcome} is served, timeout, full (not queued at all) or gone (the user left). */
    public void queueWait(String app, String outcome, long nanos) {
        Timer.builder("outpost.proxy.queue.wait").description("Time requests waited for an instance under its hard limit")
                .tags("app", app, "outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** An {@code Outpost-Replay} answer was acted on ({@code replayed}) or passed through ({@code refused}). */
    public void autostart() {
        Counter.builder("outpost.proxy.autostarts").description("Starts of stopped instances this edge asked the server for")
                .register(registry).increment();
    }

    /** A request held while an instance of its app started: how long, and how it ended (served, timeout, failed, full, gone). */
    public void autostartHold(String app, String outcome, long nanos) {
        Timer.builder("outpost.proxy.autostart.hold").description("Time requests were held while a stopped instance started")
                .tags("app", app, "outcome", outcome).publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@code outpost_proxy_connections}: the user connections open on the HTTP and HTTPS listeners, as {@code open} counts them. */
    public void userConnections(IntSupplier open) {
        Gauge.builder("outpost.proxy.connections", open, IntSupplier::getAsInt)
                .description("User connections open on the HTTP and HTTPS listeners").strongReference(true).register(registry);
    }

    public void replay(String app, String outcome) {
        Counter.builder("outpost.proxy.replays").description("Outpost-Replay answers, replayed or refused")
                .tags("app", app, "outcome", outcome).register(registry).increment();
    }

    /**
     * A request or connection refused before routing, or an exchange or connection ended for misbehaving:
     * {@code malformed}, {@code too_large}, {@code method}, {@code version}, {@code loop}, {@code client_connections},
     * {@code head_timeout}, {@code body_timeout}, {@code tls_handshake}, {@code h2_protocol}, {@code h2_flood}.
     */
    public void rejected(String reason) {
        Counter.builder("outpost.proxy.rejected").description("Requests and connections refused before routing")
                .tags("reason", reason).register(registry).increment();
    }

    /** A connection on a dedicated address was relayed to an instance in {@code region}, or closed for {@code outcome}. */
    public void tcpConnection(String app, String region, String outcome) {
        Counter.builder("outpost.tcp.connections").description("Connections on dedicated addresses, by app, serving region and outcome")
                .tags("app", app, "region", region, "outcome", outcome).register(registry).increment();
    }

    /** A connection on a dedicated address was closed after its port's {@code idle_timeout} without a byte either way. */
    public void tcpIdleClosed(String app) {
        Counter.builder("outpost.tcp.idle.closes").description("Connections on dedicated addresses closed for staying idle")
                .tags("app", app).register(registry).increment();
    }

    /** The round trip to one peer edge, as the RTT probes smoothed it. */
    public record PeerRttSample(String peer, String peerRegion, double seconds) {}

    /** Replaces the peer RTT series with {@code samples}: a peer missing from them loses its series. */
    public void peerRtts(List<PeerRttSample> samples) {
        peerRtt.register(samples.stream()
                .map(s -> MultiGauge.Row.of(Tags.of("peer", s.peer(), "peer_region", s.peerRegion()), s.seconds()))
                .toList(), true);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        registry.close();
    }
}
