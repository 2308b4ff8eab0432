package dev.outpost.core.config;

import java.time.Duration;
import java.util.Map;

/**
 * The autoscaler's part of {@code [scale]}: the {@code { min, max }} ranges of the regions written that
 * way, {@code max_total} across all regions (null: no cap), {@code target_utilization} (the share of
 * {@code soft_limit} each instance should carry, in (0, 1]) and {@code scale_down_window} (how long a lower
 * count must hold before instances are removed).
 */
public record Autoscale(Map<String, Range> ranges, Integer maxTotal, double targetUtilization, Duration scaleDownWindow) {
    public static final double DEFAULT_TARGET_UTILIZATION = 0.7;
    public static final Duration DEFAULT_SCALE_DOWN_WINDOW = Duration.ofMinutes(5);
    public static final Autoscale NONE = new Autoscale(Map.of(), null, DEFAULT_TARGET_UTILIZATION, DEFAULT_SCALE_DOWN_WINDOW);

    public Autoscale {
        ranges = ranges == null ? Map.of() : Map.copyOf(ranges);
        // 0 is what an absent field reads as.
        targetUtilization = targetUtilization == 0 ? DEFAULT_TARGET_UTILIZATION : targetUtilization;
        if (targetUtilization < 0 || targetUtilization > 1) {
            throw new IllegalArgumentException("target_utilization must be in (0, 1], got " + targetUtilization);
        }
        if (maxTotal != null && maxTotal < 0) {
            throw new IllegalArgumentException("max_total must be 0 or more, got " + maxTotal);
        }
        scaleDownWindow = scaleDownWindow == null ? DEFAULT_SCALE_DOWN_WINDOW : scaleDownWindow;
    }

    /** A region's instance count bounds, {@code 0 <= min <= max}. */
    public record Range(int min, int max) {
        public Range {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("a scale range needs 0 <= min <= max, got min " + min + ", max " + max);
            }
        }

        public int clamp(int count) {
            return Math.max(min, Math.min(max, count));
        }

        /** How status prints it: {@code 2} for a fixed count, {@code 1-5} for a range. */
        public String describe() {
            return min == max ? Integer.toString(min) : min + "-" + max;
        }
    }
}
