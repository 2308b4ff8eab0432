package dev.outpost.core.api;

import java.time.Instant;
import java.util.Map;

/** An edge proxy as the server knows it: where peers probe it and what it last reported measuring. */
public record EdgeInfo(String id, String region, String probeAddress, Map<String, RegionRtt> rtt, Instant lastSeen) {
    public EdgeInfo {
        rtt = rtt == null ? Map.of() : Map.copyOf(rtt);
    }
}
