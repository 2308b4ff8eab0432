package dev.outpost.store;

import java.time.Instant;
import java.util.Map;

/**
 * An app's monthly budget in USD and what the budget keeper did about it: the highest threshold
 * (percent) announced in {@code alertMonth} (yyyy-MM, UTC), and while the app is suspended the reason,
 * when it resumes, and the desired state ({@code running}/{@code stopped}) of each instance before.
 */
public record Budget(String app, double monthlyUsd, String alertMonth, int alerted, String suspended,
                     Map<String, String> savedDesired, Instant resumesAt) {
    public Budget {
        savedDesired = savedDesired == null ? Map.of() : Map.copyOf(savedDesired);
    }

    public boolean isSuspended() {
        return suspended != null;
    }
}
