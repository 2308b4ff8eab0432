package dev.outpost.lab.user;

import java.util.Map;

/**
 * What {@code outpost lab load} measured, as {@code --json} prints it.
 *
 * @param requests  requests sent (answered or not)
 * @param statuses  answers per HTTP status code
 * @param errors    requests that got no answer (refused, reset, timed out), per kind
 * @param latencyMs from each request's intended send time to its full answer (corrected for coordinated omission)
 */
public record LoadReport(String url, String from, int rate, double durationSeconds, long requests, Map<String, Long> statuses,
                         Map<String, Long> errors, Latency latencyMs) {
    /** Latency percentiles in milliseconds. */
    public record Latency(double p50, double p90, double p99, double max) {}
}
