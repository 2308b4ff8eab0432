package dev.outpost.proxy.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outpost.core.Json;
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
        try {
            LOG.info(Json.mapper().writeValueAsString(entry));
        } catch (JsonProcessingException e) {
            // A record of strings and numbers always serializes; say so loudly if it ever does not.
            throw new IllegalStateException("access log entry of request " + entry.requestId() + " cannot be written as JSON", e);
        }
    }
}
