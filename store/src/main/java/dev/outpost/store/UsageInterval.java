package dev.outpost.store;

import java.time.Duration;
import java.time.Instant;

/**
 * One run of an instance, from the report that said it started to the one that said it no longer
 * runs; {@code stoppedAt} is null while it still runs. {@code vmSize} is what it is priced at.
 */
public record UsageInterval(String instanceId, String app, String vmSize, Instant startedAt, Instant stoppedAt) {

    /** How much of this run falls in {@code [from, to)}, an open run counted up to {@code now}. */
    public Duration within(Instant from, Instant to, Instant now) {
        Instant end = stoppedAt == null ? now : stoppedAt;
        Instant a = startedAt.isAfter(from) ? startedAt : from;
        Instant b = end.isBefore(to) ? end : to;
        return b.isAfter(a) ? Duration.between(a, b) : Duration.ZERO;
    }
}
