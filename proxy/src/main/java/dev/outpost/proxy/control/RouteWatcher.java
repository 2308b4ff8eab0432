package dev.outpost.proxy.control;

import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.RoutingTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the server's routing table with blocking queries ({@code GET {api}/v1/routes?index=N&wait=30s},
 * {@code Authorization: Bearer <token>}) on a virtual thread, and passes each table whose index
 * differs from the last one to {@code onTable}. On failure it waits 1 s, doubling to 30 s, and
 * tries again; {@code onTable} is not called, so the proxy keeps its last table.
 */
public final class RouteWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteWatcher.class);

    /** How long each blocking query may be held by the server, and the backoff between failures. */
    record Timing(Duration queryWait, Duration firstBackoff, Duration maxBackoff) {
        static final Timing DEFAULT = new Timing(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    private final URI api;
    private final String token;
    private final Consumer<RoutingTable> onTable;
    private final Timing timing;
    private final HttpClient client;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;

    public RouteWatcher(URI api, String token, Consumer<RoutingTable> onTable) {
        this(api, token, onTable, Timing.DEFAULT);
    }

    RouteWatcher(URI api, String token, Consumer<RoutingTable> onTable, Timing timing) {
        if (api == null || !("http".equals(api.getScheme()) || "https".equals(api.getScheme()))) {
            throw new IllegalArgumentException("route watcher needs an http(s) API address such as http://127.0.0.1:7280, got " + api);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("route watcher needs an API token, got none");
        }
        this.api = api;
        this.token = token;
        this.onTable = onTable;
        this.timing = timing;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Starts watching on a virtual thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("route watcher of " + api + " is already started");
        }
        thread = Thread.ofVirtual().name("outpost-route-watcher").start(this::run);
    }

    /** Stops watching, abandoning a query in progress; returns when the watching thread has ended. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            running = thread;
        }
        closed.countDown();
        client.shutdownNow();
        if (running != null) {
            running.interrupt();
            try {
                if (!running.join(Duration.ofSeconds(5))) {
                    LOG.warn("route watcher of {} did not stop within 5s", api);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.close();
    }

    /** True while the watching thread runs. */
    boolean isRunning() {
        Thread running;
        synchronized (this) {
            running = thread;
        }
        return running != null && running.isAlive();
    }

    private void run() {
        long index = 0;
        boolean first = true;
        Duration backoff = timing.firstBackoff();
        int failures = 0;
        while (closed.getCount() > 0) {
            try {
                RoutingTable table = fetch(index);
                if (first || table.index() != index) {
                    deliver(table);
                }
                first = false;
                // A server restarted with a fresh store may answer a lower index: follow it, or it would never answer early again.
                index = table.index();
                if (failures > 0) {
                    LOG.info("route watcher of {} reconnected after {} failed attempts (index {})", api, failures, index);
                }
                failures = 0;
                backoff = timing.firstBackoff();
            } catch (InterruptedException e) {
                return;
            } catch (RouteWatchException e) {
                if (closed.getCount() == 0) {
                    return;
                }
                failures++;
                LOG.warn("{}; keeping the last routing table, retrying in {}", e.getMessage(), Durations.format(backoff));
                try {
                    if (closed.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = min(backoff.multipliedBy(2), timing.maxBackoff());
            }
        }
    }

    private RoutingTable fetch(long index) throws InterruptedException {
        URI uri = URI.create(base() + "/v1/routes?index=" + index + "&wait=" + Durations.format(timing.queryWait()));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                // The server holds the query up to `wait`; allow for that plus a slow answer.
                .timeout(timing.queryWait().plusSeconds(10))
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RouteWatchException("route watch GET " + uri + " failed: " + e, e);
        } catch (IllegalStateException e) {
            // The client was shut down by close().
            throw new InterruptedException("route watcher closed");
        }
        if (response.statusCode() != 200) {
            String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            throw new RouteWatchException("route watch GET " + uri + " answered " + response.statusCode() + ": "
                    + (body.length() > 200 ? body.substring(0, 200) + "…" : body));
        }
        try {
            return Json.mapper().readValue(response.body(), RoutingTable.class);
        } catch (IOException e) {
            throw new RouteWatchException("route watch GET " + uri + " answered a body that is not a routing table: " + e.getMessage(), e);
        }
    }

    private void deliver(RoutingTable table) {
        try {
            onTable.accept(table);
        } catch (RuntimeException e) {
            LOG.error("route watcher of {}: applying routing table {} failed", api, table.index(), e);
        }
    }

    private String base() {
        String s = api.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
