package dev.outpost.proxy.control;

import dev.outpost.core.Json;
import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.LoadReport;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.routing.Upstream;
import dev.outpost.proxy.telemetry.EdgeDemand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the server, once per interval (1 s), what this edge saw per app: the demand arriving here
 * ({@link EdgeDemand}: requests, those sent to another region, those that found no capacity, open
 * connections) and the in-flight load on this region's instances against their limits, read from the
 * routing table's {@link Upstream}s. One {@code POST /v1/load} per interval, also when nothing happened:
 * an unbroken run of reports is what lets the autoscaler scale down. A report that fails is dropped (the
 * next one carries fresh rates); the first failure after a success is logged.
 */
public final class LoadReporter implements AutoCloseable {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(LoadReporter.class);

    private final URI endpoint;
    private final String token;
    private final String region;
    private final String edgeId;
    private final Supplier<RoutingTable> routes;
    private final EdgeDemand demand;
    private final Duration interval;
    private final Clock clock;
    private final HttpClient client;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;
    private boolean failing;

    public LoadReporter(URI api, String token, String region, String edgeId, Supplier<RoutingTable> routes, EdgeDemand demand,
                        Duration interval) {
        if (api == null || !("http".equals(api.getScheme()) || "https".equals(api.getScheme()))) {
            throw new IllegalArgumentException("load reports need an http(s) API address such as http://127.0.0.1:7280, got " + api);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("load reports need an API token, got none");
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("load report interval must be positive, got " + interval);
        }
        this.endpoint = URI.create(api.toString().replaceAll("/+$", "") + "/v1/load");
        this.token = token;
        this.region = region;
        this.edgeId = edgeId;
        this.routes = routes;
        this.demand = demand;
        this.interval = interval;
        this.clock = Clock.systemUTC();
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("load reporter of edge " + edgeId + " is already started");
        }
        thread = Thread.ofVirtual().name("outpost-load-reporter").start(this::run);
    }

    /** Builds the report of the {@code seconds} since the last one and resets the counters. */
    public LoadReport collect(double seconds) {
        RoutingTable table = routes.get();
        List<AppLoad> apps = new ArrayList<>();
        for (EdgeDemand.App app : demand.apps()) {
            EdgeDemand.Counts c = app.takeCounts();
            List<AppLoad.InstanceLoad> instances = new ArrayList<>();
            Optional<RoutingTable.AppRoutes> routed = table.app(app.name());
            if (routed.isPresent()) {
                RoutingTable.AppRoutes r = routed.get();
                for (RoutingTable.RegionTargets targets : r.regions()) {
                    if (targets.region().equals(region)) {
                        for (Upstream u : targets.upstreams()) {
                            instances.add(new AppLoad.InstanceLoad(u.instanceId(), u.inFlight(), r.softLimit(), r.hardLimit()));
                        }
                    }
                }
            }
            boolean busy = instances.stream().anyMatch(i -> i.inFlight() > 0);
            if (c.idle() && !busy) {
                continue;
            }
            apps.add(new AppLoad(app.name(), c.requests(), c.requests() / seconds, c.connections(), c.remote() / seconds,
                    c.unserved() / seconds, instances));
        }
        return new LoadReport(region, edgeId, clock.instant(), apps);
    }

    private void run() {
        long last = System.nanoTime();
        try {
            while (!closed.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                long now = System.nanoTime();
                LoadReport report = collect(Math.max(1e-3, (now - last) / 1e9));
                last = now;
                send(report);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(LoadReport report) throws InterruptedException {
        String problem;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .timeout(interval.plusSeconds(1))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(report)))
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                if (failing) {
                    LOG.info("edge {}: load reports reach the server again", edgeId);
                }
                failing = false;
                return;
            }
            String body = response.body();
            problem = "answered " + response.statusCode() + ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body);
        } catch (IOException e) {
            problem = "failed: " + e;
        } catch (IllegalStateException e) {
            // The client was closed under us: close() is running.
            return;
        }
        if (!failing) {
            LOG.warn("edge {}: POST {} {}; the autoscaler sees no demand from this edge until a report gets through",
                    edgeId, endpoint, problem);
        }
        failing = true;
    }

    /** Stops reporting; a second call does nothing. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.close();
    }
}
