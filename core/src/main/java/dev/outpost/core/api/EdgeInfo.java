package dev.outpost.core.api;

import java.time.Instant;
import java.util.Map;

/**
 * An edge proxy as the server knows it: where peers probe it, what it last reported measuring, and the block
 * it serves apps' dedicated addresses from ({@code dedicatedBlock}, e.g. {@code 127.1.2.0}; null: none).
 */
public record EdgeInfo(String id, String region, String probeAddress, Map<String, RegionRtt> rtt, Instant lastSeen,
                       String dedicatedBlock) {
    public EdgeInfo {
        rtt = rtt == null ? Map.of() : Map.copyOf(rtt);
    }

    /** An edge that serves no dedicated addresses. */
    public EdgeInfo(String id, String region, String probeAddress, Map<String, RegionRtt> rtt, Instant lastSeen) {
        this(id, region, probeAddress, rtt, lastSeen, null);
    }
}
