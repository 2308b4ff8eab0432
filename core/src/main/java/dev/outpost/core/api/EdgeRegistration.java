package dev.outpost.core.api;

import java.util.Map;

/**
 * {@code PUT /v1/edges/{id}}: an edge proxy announcing itself, every 10 s, with what it last measured.
 *
 * @param region        the edge's region
 * @param probeAddress  {@code host:port} where peers probe it
 * @param rtt           by region code, the round trips it measured to the other regions (empty at first)
 */
public record EdgeRegistration(String region, String probeAddress, Map<String, RegionRtt> rtt) {
    public EdgeRegistration {
        rtt = rtt == null ? Map.of() : Map.copyOf(rtt);
    }
}
