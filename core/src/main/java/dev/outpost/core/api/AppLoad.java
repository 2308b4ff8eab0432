package dev.outpost.core.api;

import java.util.List;

/**
 * One app's second at one edge ({@link LoadReport}).
 *
 * @param requests              requests that arrived at the edge for the app during the report's interval
 * @param requestsPerSecond     the same as a rate
 * @param connections           user connections open at the edge whose latest request was for the app
 * @param remotePerSecond       requests sent to an instance in another region (no local capacity)
 * @param unservedPerSecond     requests that had to wait for capacity or were answered 503 for lack of it
 * @param instances             in-flight load, as this edge counts it, on the instances of the edge's region
 */
public record AppLoad(String app, long requests, double requestsPerSecond, long connections, double remotePerSecond,
                      double unservedPerSecond, List<InstanceLoad> instances) {
    public AppLoad {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    /** An instance's in-flight requests (or pinned connections) against its limits, sampled at the report. */
    public record InstanceLoad(String instanceId, int inFlight, int softLimit, int hardLimit) {}
}
