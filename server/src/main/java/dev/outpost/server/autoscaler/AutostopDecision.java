package dev.outpost.server.autoscaler;

import java.time.Duration;
import java.util.Map;

/**
 * One idle instance to stop and why, as the {@code scale.autostop} event records it: {@code message} is
 * what {@code outpost events} prints after the kind.
 */
public record AutostopDecision(String instanceId, String region, Duration idle, String message, Map<String, String> data) {
    public static final String KIND = "scale.autostop";

    public AutostopDecision {
        data = data == null ? Map.of() : Map.copyOf(data);
    }
}
