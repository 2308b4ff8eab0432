package dev.outpost.proxy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.RoutingTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's {@code GET /v1/routes} with blocking-query semantics: answers at once when it has a
 * table newer than {@code index}, else holds the call until one is published or {@code wait} ends.
 * Can be switched to failing (500) to play a server that is down.
 */
public final class FakeRoutesServer implements AutoCloseable {
    /** One call as the server saw it. */
    public record Call(String query, String authorization, long atNanos, int status) {}

    public static final String TOKEN = "op_test_token";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lock = new Object();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger blocked = new AtomicInteger();
    private RoutingTable current = new RoutingTable(0, List.of());
    private boolean failing;
    private boolean closed;

    public FakeRoutesServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/routes", this::routes);
        server.start();
    }

    public URI api() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void publish(RoutingTable table) {
        synchronized (lock) {
            current = table;
            lock.notifyAll();
        }
    }

    public void failing(boolean failing) {
        synchronized (lock) {
            this.failing = failing;
        }
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Calls currently held waiting for a newer table. */
    public int blocked() {
        return blocked.get();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        server.stop(0);
        executor.shutdownNow();
    }

    private void routes(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getQuery();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            long at = System.nanoTime();
            if (!("Bearer " + TOKEN).equals(auth)) {
                calls.add(new Call(query, auth, at, 401));
                reply(exchange, 401, "{\"title\":\"missing or wrong token\"}");
                return;
            }
            RoutingTable answer;
            synchronized (lock) {
                if (failing) {
                    calls.add(new Call(query, auth, at, 500));
                    reply(exchange, 500, "{\"title\":\"store unavailable\"}");
                    return;
                }
                calls.add(new Call(query, auth, at, 200));
                long index = Long.parseLong(param(query, "index"));
                long deadline = System.nanoTime() + Durations.parse(param(query, "wait")).toNanos();
                blocked.incrementAndGet();
                try {
                    while (current.index() <= index && !closed && deadline - System.nanoTime() > 0) {
                        lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    blocked.decrementAndGet();
                }
                if (failing) {
                    // Went down while the query was held.
                    reply(exchange, 500, "{\"title\":\"store unavailable\"}");
                    return;
                }
                answer = current;
            }
            reply(exchange, 200, Json.mapper().writeValueAsString(answer));
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String param(String query, String name) {
        for (String part : query.split("&")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("query " + query + " has no " + name);
    }
}
