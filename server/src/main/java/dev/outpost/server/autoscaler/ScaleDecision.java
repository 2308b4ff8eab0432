package dev.outpost.server.autoscaler;

import java.util.Map;

/**
 * One change of a region's desired count and why, as the event records it: {@code kind} is
 * {@code scale.up} or {@code scale.down}, {@code reason} the sentence after the counts.
 */
public record ScaleDecision(String region, int from, int to, String reason, Map<String, String> data) {
    public ScaleDecision {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    public String kind() {
        return to > from ? "scale.up" : "scale.down";
    }

    /** What {@code outpost events} prints: {@code iad 1→3: 84 req/s arriving at iad, 28 per instance at target 0.7×40}. */
    public String message() {
        return region + " " + from + "→" + to + ": " + reason;
    }
}
