package dev.outpost.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One agent's settings: its {@code region} and {@code hostId}, the private {@code address} its
 * instances listen on, where it keeps bundles and instance directories ({@code dataDir}), the
 * memory it offers, and how long a stopped instance keeps serving so proxies drop it first
 * ({@code drainDelay}, typically 2 s).
 */
public record AgentConfig(String region, String hostId, String address, Path dataDir, long memoryMb, Duration drainDelay) {
    public AgentConfig {
        require(region, "region");
        require(hostId, "hostId");
        require(address, "address");
        if (dataDir == null) {
            throw new IllegalArgumentException("agent dataDir is missing");
        }
        if (memoryMb <= 0) {
            throw new IllegalArgumentException("agent memoryMb " + memoryMb + " must be above 0");
        }
        if (drainDelay == null || drainDelay.isNegative()) {
            throw new IllegalArgumentException("agent drainDelay " + drainDelay + " must be 0 or more (e.g. 2s)");
        }
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("agent " + name + " is missing");
        }
    }
}
