package dev.outpost.store;

import java.time.Instant;

/**
 * Which log lines of {@code app} to read. Every filter is optional (null): {@code since} keeps lines
 * read at or after that instant, {@code region} and {@code instanceId} match exactly, {@code grep}
 * is a plain case-sensitive substring (no pattern syntax). Without {@code after} the answer is the
 * newest {@code limit} matching lines; with it, the oldest {@code limit} matching lines after that
 * cursor. Lines come oldest first either way.
 */
public record LogQuery(String app, Instant since, String region, String instanceId, String grep, Long after, int limit) {
    public LogQuery {
        if (app == null || app.isBlank()) {
            throw new IllegalArgumentException("a log query needs an app");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("log query limit " + limit + " must be 1 or more");
        }
        if (grep != null && grep.isEmpty()) {
            grep = null;
        }
    }
}
