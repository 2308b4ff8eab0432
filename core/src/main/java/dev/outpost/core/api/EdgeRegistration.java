package dev.outpost.core.api;

import java.util.Map;

/**
 * {@code PUT /v1/edges/{id}}: an edge proxy announcing itself, every 10 s, with what it last measured.
 *
 * @param region        the edge's region
 * @param probeAddress  {@code host:port} where peers probe it
 * @param rtt            by region code, the round trips it measured to the other regions (empty at first)
 * @param dedicatedBlock the /24 it serves apps' dedicated addresses from ({@code 10.0.2.0}), null when it serves none
 */
public record EdgeRegistration(String region, String probeAddress, Map<String, RegionRtt> rtt, String dedicatedBlock) {
    public EdgeRegistration {
        rtt = rtt == null ? Map.of() : Map.copyOf(rtt);
    }

    /** An edge that serves no dedicated addresses. */
    public EdgeRegistration(String region, String probeAddress, Map<String, RegionRtt> rtt) {
        this(region, probeAddress, rtt, null);
    }
}
