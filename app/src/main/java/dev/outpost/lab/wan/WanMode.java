package dev.outpost.lab.wan;

import dev.outpost.core.region.RegionCatalog;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How far apart the lab's regions are: {@code real} uses the table's round trips, {@code scaled}
 * a tenth of them (fast tests that still order regions like the world does), {@code none} adds no
 * link at all.
 */
public enum WanMode {
    NONE(0.0),
    SCALED(0.1),
    REAL(1.0);

    private final double factor;

    WanMode(double factor) {
        this.factor = factor;
    }

    /** {@code none}, {@code scaled} or {@code real}; anything else is rejected with the accepted values. */
    public static WanMode parse(String value) {
        for (WanMode m : values()) {
            if (m.label().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("WAN mode must be one of "
                + Arrays.stream(values()).map(WanMode::label).collect(Collectors.joining(", ")) + ", got \"" + value + "\"");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** False for {@link #NONE}: connections go straight to their destination. */
    public boolean linked() {
        return this != NONE;
    }

    /** The round trip between two regions of the table in this mode; zero within a region. */
    public Duration rtt(String a, String b) {
        return Duration.ofNanos(Math.round(RegionCatalog.rttMillis(a, b) * factor * 1_000_000));
    }
}
