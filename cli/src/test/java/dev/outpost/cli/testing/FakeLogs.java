package dev.outpost.cli.testing;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.core.Json;
import dev.outpost.core.api.LogLine;
import dev.outpost.core.api.LogPage;
import dev.outpost.core.api.Problem;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/apps/{app}/logs} for {@link FakeOutpostApi}: lines in memory with their ids as the
 * cursor, the region/instance/grep/limit filters, and follow ({@code after} + {@code wait}) that
 * wakes when {@link #add} appends. Every query string is recorded; {@link #failNext} plays an API
 * that is away.
 */
public final class FakeLogs implements FakeOutpostApi.Endpoint {
    private static final Pattern LOGS = Pattern.compile("/v1/apps/([^/]+)/logs");

    private final FakeOutpostApi api;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final List<LogLine> lines = new ArrayList<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();

    /** Logs of the apps {@code api} knows; others are a 404 as on the server. */
    public FakeLogs(FakeOutpostApi api) {
        this.api = api;
    }

    public void add(LogLine... more) {
        lock.lock();
        try {
            lines.addAll(List.of(more));
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next {@code n} calls answer 503. */
    public void failNext(int n) {
        failures.set(n);
    }

    /** The raw query strings of every call, in order. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public boolean handle(HttpExchange ex, String method, String path, String query) throws IOException {
        Matcher m = LOGS.matcher(path);
        if (!m.matches() || !method.equals("GET")) {
            return false;
        }
        queries.add(query == null ? "" : query);
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(ex, 503, new Problem("about:blank", "error", 503, "the server is restarting"));
            return true;
        }
        if (api.app(m.group(1)) == null) {
            send(ex, 404, new Problem("about:blank", "error", 404, "app " + m.group(1) + " not found"));
            return true;
        }
        Map<String, String> p = params(query);
        int limit = Integer.parseInt(p.getOrDefault("limit", "100"));
        Long after = p.containsKey("after") ? Long.parseLong(p.get("after")) : null;
        Duration wait = p.containsKey("wait") ? dev.outpost.core.Durations.parse(p.get("wait")) : Duration.ZERO;
        try {
            send(ex, 200, page(m.group(1), p, after, limit, wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(ex, 503, new Problem("about:blank", "error", 503, "shutting down"));
        }
        return true;
    }

    private LogPage page(String app, Map<String, String> p, Long after, int limit, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                List<LogLine> out = new ArrayList<>();
                long cursor = after == null ? 0 : after;
                for (int i = after == null ? 0 : (int) (long) after; i < lines.size(); i++) {
                    LogLine l = lines.get(i);
                    if (l.app().equals(app) && (!p.containsKey("region") || l.region().equals(p.get("region")))
                            && (!p.containsKey("instance") || l.instanceId().equals(p.get("instance")))
                            && (!p.containsKey("grep") || l.line().contains(p.get("grep")))) {
                        out.add(l);
                    }
                }
                if (after == null) {
                    out = out.subList(Math.max(0, out.size() - limit), out.size());
                    return new LogPage(out, lines.size());
                }
                if (out.size() > limit) {
                    out = out.subList(0, limit);
                }
                cursor = lines.size();
                long left = deadline - System.nanoTime();
                if (!out.isEmpty() || left <= 0) {
                    return new LogPage(out, out.isEmpty() ? cursor : lines.indexOf(out.getLast()) + 1);
                }
                added.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private static Map<String, String> params(String query) {
        Map<String, String> out = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", status == 200 ? "application/json" : Problem.MEDIA_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
