package dev.outpost.proxy.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outpost.core.Json;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the SLF4J logger {@value #LOGGER} at INFO, so the operator routes
 * it with the logging config (its own file, or off) like any other log. Fields in camelCase, as
 * every JSON of Outpost: {@code time, app, method, path, status, bytes, durationMs, instance,
 * instanceRegion, edgeRegion, requestId, clientIp}; {@code instance} and {@code instanceRegion} are
 * null when the proxy answered itself. The path leaves out the query string, which may carry secrets.
 */
public final class AccessLog {
    public static final String LOGGER = "dev.outpost.proxy.access";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** One request, as logged. {@code bytes} counts the response body bytes sent to the user. */
    public record Entry(Instant time, String app, String method, String path, int status, long bytes, long durationMs,
                        String instance, String instanceRegion, String edgeRegion, String requestId, String clientIp) {}

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
