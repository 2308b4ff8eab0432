package dev.outpost.proxy.telemetry;

import dev.outpost.core.Quoted;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the SLF4J logger {@value #LOGGER} at INFO, so the operator routes
 * it with the logging config (its own file, or off) like any other log. Fields in camelCase, as
 * every JSON of Outpost: {@code time, app, method, path, protocol, status, bytes, durationMs, instance,
 * instanceRegion, edgeRegion, requestId, clientIp, userAgent}; {@code instance} and {@code instanceRegion} are
 * null when the proxy answered itself. The path leaves out the query string, which may carry secrets.
 *
 * <p>Where {@code durationMs} went, as HAProxy's timers split a request's time: {@code waitMs}, held at the
 * edge (queued for a slot, or waiting for an instance to start: {@code waitedFor} says which); {@code connectMs},
 * getting a connection to the instance that served it (0 for a pooled one; a fresh one's TCP handshake,
 * across the WAN for another region); {@code responseMs}, from sending the request to that instance to its
 * response head (the app's think time plus the round trip), null when no head came; {@code attempts},
 * instances tried (more than 1 after a failed connect or a replay).
 */
public final class AccessLog {
    public static final String LOGGER = "dev.outpost.proxy.access";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    /** A line's builder is reused per thread up to this size; one a long path or user agent grew is dropped. */
    private static final int KEPT_CAPACITY = 1024;
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(KEPT_CAPACITY));

    /** One request, as logged. {@code bytes} counts the response body bytes sent to the user. */
    public record Entry(Instant time, String app, String method, String path, String protocol, int status, long bytes,
                        long durationMs, long waitMs, String waitedFor, Long connectMs, Long responseMs, int attempts,
                        String instance, String instanceRegion, String edgeRegion, String requestId, String clientIp,
                        String userAgent) {}

    /** False when the logger is off: callers then skip building entries. */
    public boolean enabled() {
        return LOG.isInfoEnabled();
    }

    public void log(Entry entry) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(json(entry));
    }

    /**
     * The entry as one line of JSON, the fields in the record's order, as Jackson writes a record. Written by hand:
     * Jackson's serializer was a third of the log's cost per request (bench/README, "What the access log costs").
     */
    static String json(Entry e) {
        StringBuilder b = LINE.get();
        b.setLength(0);
        b.append('{');
        string(b, "time", e.time() == null ? null : e.time().toString());
        string(b.append(','), "app", e.app());
        string(b.append(','), "method", e.method());
        string(b.append(','), "path", e.path());
        string(b.append(','), "protocol", e.protocol());
        name(b.append(','), "status").append(e.status());
        name(b.append(','), "bytes").append(e.bytes());
        name(b.append(','), "durationMs").append(e.durationMs());
        name(b.append(','), "waitMs").append(e.waitMs());
        string(b.append(','), "waitedFor", e.waitedFor());
        number(b.append(','), "connectMs", e.connectMs());
        number(b.append(','), "responseMs", e.responseMs());
        name(b.append(','), "attempts").append(e.attempts());
        string(b.append(','), "instance", e.instance());
        string(b.append(','), "instanceRegion", e.instanceRegion());
        string(b.append(','), "edgeRegion", e.edgeRegion());
        string(b.append(','), "requestId", e.requestId());
        string(b.append(','), "clientIp", e.clientIp());
        string(b.append(','), "userAgent", e.userAgent());
        String line = b.append('}').toString();
        if (b.capacity() > KEPT_CAPACITY) {
            // A long user agent or path grew it: not kept for every later line of this thread.
            LINE.set(new StringBuilder(KEPT_CAPACITY));
        }
        return line;
    }

    private static StringBuilder name(StringBuilder b, String name) {
        return b.append('"').append(name).append("\":");
    }

    private static void number(StringBuilder b, String name, Long value) {
        if (value == null) {
            name(b, name).append("null");
        } else {
            name(b, name).append(value.longValue());
        }
    }

    /** A string field, quoted and escaped by {@link Quoted} (RFC 8259 §7), or null. */
    private static void string(StringBuilder b, String name, String value) {
        name(b, name);
        if (value == null) {
            b.append("null");
        } else {
            Quoted.append(b, value);
        }
    }
}
