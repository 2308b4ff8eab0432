package dev.outpost.lab.wan;

import dev.outpost.core.region.RegionCatalog;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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

    /**
     * The mode a running lab is in, recognized from what a region's edge measured to the others
     * ({@code measuredMillis}, by region): the median ratio of measured to table round trips is
     * about 1 in {@code real}, 0.1 in {@code scaled} and near 0 in {@code none} (probes only add
     * their processing), so the tenfold steps keep the modes apart. Empty before any measurement
     * of a region the table knows.
     */
    public static Optional<WanMode> recognize(String from, Map<String, Double> measuredMillis) {
        List<Double> ratios = measuredMillis.entrySet().stream()
                .filter(e -> !e.getKey().equals(from) && RegionCatalog.find(e.getKey()).isPresent())
                .map(e -> e.getValue() / RegionCatalog.rttMillis(from, e.getKey()))
                .sorted()
                .toList();
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        double median = ratios.get(ratios.size() / 2);
        // Between the modes' factors, nearer the lower one: processing only ever adds to a probe.
        return Optional.of(median >= 0.5 ? REAL : median >= 0.07 ? SCALED : NONE);
    }
}
