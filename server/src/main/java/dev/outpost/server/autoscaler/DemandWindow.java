package dev.outpost.server.autoscaler;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An app's recent demand per region, oldest sample first. A second missing from a region had no demand
 * there. {@code coveredSince} is when the current unbroken run of reports from the edges began (null
 * when none came): before it the autoscaler knows nothing, so it never scales down on a window it did
 * not see.
 */
public record DemandWindow(Instant coveredSince, Map<String, List<DemandSample>> regions) {
    public static final DemandWindow EMPTY = new DemandWindow(null, Map.of());

    public DemandWindow {
        regions = regions == null ? Map.of() : Map.copyOf(regions);
    }

    public List<DemandSample> of(String region) {
        return regions.getOrDefault(region, List.of());
    }
}
