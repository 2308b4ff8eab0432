package dev.outpost.core.api;

/**
 * What an edge measured to one other region: the smoothed round trip of a tiny request to that
 * region's nearest edge, in milliseconds. {@code reachable} is false once every edge of the region
 * failed three probes in a row; {@code millis} then keeps the last smoothed value, for display only.
 */
public record RegionRtt(double millis, boolean reachable) {
    public RegionRtt {
        if (!(millis >= 0) || Double.isInfinite(millis)) {
            throw new IllegalArgumentException("round-trip time must be a finite number of milliseconds >= 0, got " + millis);
        }
    }
}
