package dev.outpost.core.api;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/apps/{app}/load}: per region, the autoscaler's view of the app: its range, the desired
 * and running counts, and the demand the edges of that region last reported.
 */
public record AppLoadStatus(String app, boolean autoscaled, List<RegionLoad> regions) {
    public AppLoadStatus {
        regions = regions == null ? List.of() : List.copyOf(regions);
    }

    /**
     * @param min          the region's minimum ({@code [scale] regions}), null when the config does not name the region
     * @param max          the region's maximum, null likewise
     * @param desired      the count the scheduler works towards
     * @param running      instances started now
     * @param requestsPerSecond demand arriving at the region's edges, summed over them, in their latest reports
     * @param connections  user connections open at the region's edges
     * @param reportedAt   when the latest report from the region's edges arrived; null when none has
     */
    public record RegionLoad(String region, Integer min, Integer max, int desired, int running, double requestsPerSecond,
                             double remotePerSecond, double unservedPerSecond, long connections, Instant reportedAt) {}
}
