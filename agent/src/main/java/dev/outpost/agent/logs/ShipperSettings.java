package dev.outpost.agent.logs;

import java.time.Duration;

/**
 * How the shipper paces itself: it looks for new output every {@code poll}, sends at most one batch
 * per {@code flushInterval} unless {@code batchSize} lines are waiting, holds at most
 * {@code capacity} lines while the server is away (then drops the oldest), waits up to
 * {@code maxBackoff} between failed sends, and sends a last line that never got its line break
 * once it has not grown for {@code partialFlush}.
 */
public record ShipperSettings(Duration poll, Duration flushInterval, int batchSize, int capacity, Duration maxBackoff,
                              Duration partialFlush) {
    /** 100 ms, 1 s, 500 lines, 20 000 lines, 10 s, 1 s. */
    public static final ShipperSettings DEFAULT = new ShipperSettings(Duration.ofMillis(100), Duration.ofSeconds(1), 500,
            20_000, Duration.ofSeconds(10), Duration.ofSeconds(1));

    public ShipperSettings {
        positive(poll, "poll");
        positive(flushInterval, "flushInterval");
        positive(maxBackoff, "maxBackoff");
        positive(partialFlush, "partialFlush");
        if (batchSize < 1 || batchSize > dev.outpost.core.api.LogBatch.MAX_LINES) {
            throw new IllegalArgumentException("log batchSize " + batchSize + " must be 1 to "
                    + dev.outpost.core.api.LogBatch.MAX_LINES);
        }
        if (capacity < batchSize) {
            throw new IllegalArgumentException("log buffer capacity " + capacity + " must be at least the batch size " + batchSize);
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("log shipper " + name + " " + d + " must be longer than 0");
        }
    }
}
