package dev.outpost.server.api;

import dev.outpost.core.Durations;
import dev.outpost.core.api.LogBatch;
import dev.outpost.core.api.LogPage;
import dev.outpost.server.logs.LogRetention;
import dev.outpost.server.watch.IndexWatch;
import dev.outpost.store.LogQuery;
import dev.outpost.store.Logs;
import dev.outpost.store.Store;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Central logs: agents {@code POST /v1/logs} what their instances printed; users read it with
 * {@code GET /v1/apps/{app}/logs}, filtered, and follow it with {@code after} + {@code wait}, which
 * wakes in-process as soon as a batch lands. Also runs the hourly {@link LogRetention} while the
 * server runs.
 */
public final class LogsApi {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;
    private static final Set<String> PARAMETERS = Set.of("since", "region", "instance", "grep", "limit", "after", "wait");
    private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{1,62}");
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9]{1,7}");
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_GREP = 1000;
    private static final int MAX_ORIGIN = 200;

    private final Store store;
    private final Logs logs;
    private final Clock clock;
    private final IndexWatch newest;
    private final LogRetention retention;

    /** Keeps lines for {@code retention}, pruning hourly. */
    public LogsApi(Store store, Clock clock, Duration retention) {
        this.store = store;
        this.logs = store.logs();
        this.clock = clock;
        // The last log id, advanced after each append: followers wait on it, not on the global index.
        this.newest = new IndexWatch(logs.lastId());
        this.retention = new LogRetention(logs, clock, retention, LogRetention.HOURLY);
    }

    /** Adds the routes, and runs the retention from server start to server stop. */
    public void register(JavalinConfig cfg) {
        cfg.routes.post("/v1/logs", this::append);
        cfg.routes.get("/v1/apps/{app}/logs", this::read);
        cfg.events.serverStarted(retention::start);
        cfg.events.serverStopping(retention::close);
    }

    private void append(Context ctx) {
        LogBatch batch = Requests.body(ctx, LogBatch.class);
        List<LogBatch.Line> lines = batch.lines();
        if (lines.size() > LogBatch.MAX_LINES) {
            throw ApiException.badRequest("a log batch carries at most " + LogBatch.MAX_LINES + " lines, this one " + lines.size()
                    + ": send smaller batches");
        }
        for (int i = 0; i < lines.size(); i++) {
            check(i, lines.get(i));
        }
        if (!lines.isEmpty()) {
            newest.advance(logs.append(lines));
        }
        ctx.status(204);
    }

    private void read(Context ctx) throws InterruptedException {
        String app = ctx.pathParam("app");
        for (String name : ctx.queryParamMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw ApiException.badRequest("unknown parameter " + name + " (known: since, region, instance, grep, limit, after, wait)");
            }
        }
        LogQuery query = new LogQuery(app, since(ctx.queryParam("since")),
                matching(ctx, "region", REGION, "a region code such as iad"),
                matching(ctx, "instance", INSTANCE, "an instance id: letters, digits, '_', '.', '-'"),
                grep(ctx.queryParam("grep")), after(ctx.queryParam("after")), limit(ctx.queryParam("limit")));
        Duration wait = followWait(ctx.queryParam("wait"), query.after());
        if (store.findApp(app).isEmpty()) {
            throw ApiException.notFound("app " + app + " not found (outpost apps list shows your apps)");
        }
        LogPage page = logs.query(query);
        long deadline = System.nanoTime() + wait.toNanos();
        while (page.lines().isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || newest.await(page.cursor(), Duration.ofNanos(left)) <= page.cursor()) {
                break;
            }
            page = logs.query(new LogQuery(query.app(), query.since(), query.region(), query.instanceId(), query.grep(),
                    page.cursor(), query.limit()));
        }
        ctx.json(page);
    }

    private static void check(int i, LogBatch.Line l) {
        String at = "lines[" + i + "]";
        if (l == null) {
            throw ApiException.badRequest(at + " is null; expected {instanceId, app, region, time, line}");
        }
        if (l.app() == null || !APP.matcher(l.app()).matches()) {
            throw ApiException.badRequest(at + ".app \"" + l.app() + "\" is not an app name ([a-z][a-z0-9-]{1,62})");
        }
        if (l.instanceId() == null || !INSTANCE.matcher(l.instanceId()).matches()) {
            throw ApiException.badRequest(at + ".instanceId \"" + l.instanceId() + "\" is not an instance id");
        }
        if (l.region() == null || !REGION.matcher(l.region()).matches()) {
            throw ApiException.badRequest(at + ".region \"" + l.region() + "\" is not a region code (e.g. iad)");
        }
        if (l.time() == null) {
            throw ApiException.badRequest(at + ".time is missing: when the agent read the line (ISO-8601)");
        }
        if (l.line() == null) {
            throw ApiException.badRequest(at + ".line is missing");
        }
        if (l.line().length() > LogBatch.MAX_LINE_LENGTH) {
            throw ApiException.badRequest(at + ".line has " + l.line().length() + " characters; at most "
                    + LogBatch.MAX_LINE_LENGTH + " (cut longer lines)");
        }
        if (l.origin() != null && l.origin().length() > MAX_ORIGIN) {
            throw ApiException.badRequest(at + ".origin is longer than " + MAX_ORIGIN + " characters");
        }
    }

    private Instant since(String v) {
        if (v == null) {
            return null;
        }
        try {
            return clock.instant().minus(Durations.parse(v));
        } catch (IllegalArgumentException notADuration) {
            try {
                return Instant.parse(v);
            } catch (DateTimeParseException notATime) {
                throw ApiException.badRequest("since=" + v + " is neither a duration (e.g. 10m, 2h, 7d) nor a time (e.g. 2025-03-01T10:00:00Z)");
            }
        }
    }

    private static String matching(Context ctx, String name, Pattern pattern, String expected) {
        String v = ctx.queryParam(name);
        if (v != null && !pattern.matcher(v).matches()) {
            throw ApiException.badRequest(name + "=" + v + " is not " + expected);
        }
        return v;
    }

    private static String grep(String v) {
        if (v != null && (v.isEmpty() || v.length() > MAX_GREP)) {
            throw ApiException.badRequest("grep takes 1 to " + MAX_GREP + " characters (a plain, case-sensitive substring), got "
                    + v.length());
        }
        return v;
    }

    private static Long after(String v) {
        if (v == null) {
            return null;
        }
        try {
            long cursor = Long.parseLong(v);
            if (cursor >= 0) {
                return cursor;
            }
        } catch (NumberFormatException e) {
            // answered below with what a cursor looks like
        }
        throw ApiException.badRequest("after=" + v + " is not a cursor (pass the cursor of the last answer, a number of 0 or more)");
    }

    private static int limit(String v) {
        if (v == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below with the range
        }
        throw ApiException.badRequest("limit=" + v + " is not a number from 1 to " + MAX_LIMIT);
    }

    private static Duration followWait(String v, Long after) {
        if (v == null) {
            return Duration.ZERO;
        }
        if (after == null) {
            throw ApiException.badRequest("wait=" + v + " needs after=CURSOR (the cursor of the last answer) to know which lines are new");
        }
        Duration d;
        try {
            d = Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("wait=" + v + ": " + e.getMessage());
        }
        return d.compareTo(Requests.MAX_WAIT) > 0 ? Requests.MAX_WAIT : d;
    }
}
