package dev.outpost.proxy.control;

/**
 * What one edge knows of the round trip to one peer edge: an exponentially weighted moving average
 * of the probes that succeeded, and how many failed in a row since the last success. A peer is
 * unreachable after {@link #UNREACHABLE_AFTER} failures in a row; its next success starts the
 * average afresh, since the old one describes a path that broke.
 *
 * @param millis   the smoothed round trip; meaningless while {@code measured} is false
 * @param failures probes failed in a row
 * @param measured whether any probe ever succeeded
 */
public record PeerRtt(double millis, int failures, boolean measured) {
    /** Weight of a new sample: about the last three probes (6 s at one probe per 2 s) dominate. */
    public static final double ALPHA = 0.3;
    public static final int UNREACHABLE_AFTER = 3;
    /** Before the first probe answered. */
    public static final PeerRtt UNKNOWN = new PeerRtt(0, 0, false);

    public PeerRtt {
        if (!(millis >= 0) || Double.isInfinite(millis) || failures < 0) {
            throw new IllegalArgumentException("peer RTT needs millis >= 0 and failures >= 0, got " + millis + " ms, " + failures);
        }
    }

    /** After a probe that took {@code sampleMillis}. */
    public PeerRtt observe(double sampleMillis) {
        if (!(sampleMillis >= 0) || Double.isInfinite(sampleMillis)) {
            throw new IllegalArgumentException("a probe's round trip must be >= 0 ms, got " + sampleMillis);
        }
        double next = measured && reachable() ? ALPHA * sampleMillis + (1 - ALPHA) * millis : sampleMillis;
        return new PeerRtt(next, 0, true);
    }

    /** After a probe that failed (refused, timed out, a wrong answer). */
    public PeerRtt fail() {
        return new PeerRtt(millis, failures + 1, measured);
    }

    public boolean reachable() {
        return failures < UNREACHABLE_AFTER;
    }

    /** Whether routing can use it: it answered at least once and has not failed three times since. */
    public boolean usable() {
        return measured && reachable();
    }
}
