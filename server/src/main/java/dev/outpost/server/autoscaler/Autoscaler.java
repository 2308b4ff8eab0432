package dev.outpost.server.autoscaler;

import dev.outpost.core.Durations;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.Autoscale;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The autoscaler's decision, pure: a function of the app's {@code [scale]}, its concurrency limits, the
 * recent demand per region, the current desired counts and the time, to the changes to make.
 *
 * <p>Per region with a {@code { min, max }} range (a plain count is the user's, left alone):
 * <ul>
 *   <li>the count the demand asks for is {@code ceil(demand / (soft_limit × target_utilization))}, where the
 *       demand is requests per second arriving at the region's edges ({@code connections} apps: open
 *       connections), whichever region served them — users near {@code syd} served from {@code iad} ask
 *       for instances in {@code syd};</li>
 *   <li>up at once: the busiest second of the last {@link #UP_WINDOW} decides, so a rise is acted on at
 *       the first tick after the report that shows it;</li>
 *   <li>down slowly: only to the largest count any second of {@code scale_down_window} asked for, and only
 *       once reports have covered that whole window without a gap;</li>
 *   <li>clamped to the range; then, when the total exceeds {@code max_total}, every range region keeps
 *       its {@code min} and the rest goes one instance at a time to the region whose instances carry the most
 *       demand each (so the cap moves instances to where users are, at once).</li>
 * </ul>
 */
public final class Autoscaler {
    /** How far back the evidence for scaling up looks. */
    public static final Duration UP_WINDOW = Duration.ofSeconds(3);
    /** Float noise guard: 84 req/s at 28 per instance is 3 instances, not 4. */
    private static final double EPSILON = 1e-9;

    private Autoscaler() {}

    /**
     * The changes for one app, in region order; empty when its counts are right.
     *
     * @param current the app's desired count per region now ({@code App.scale()})
     */
    public static List<ScaleDecision> decide(AppConfig.Scale scale, AppConfig.Concurrency concurrency, DemandWindow window,
                                             Map<String, Integer> current, Instant now) {
        Autoscale auto = scale.autoscale();
        boolean connections = "connections".equals(concurrency.type());
        double perInstance = concurrency.softLimit() * auto.targetUtilization();
        Duration downWindow = auto.scaleDownWindow();
        boolean covered = window.coveredSince() != null && !window.coveredSince().isAfter(now.minus(downWindow));
        Instant upFrom = now.minus(UP_WINDOW);
        Instant downFrom = now.minus(downWindow);
        String per = number(perInstance) + " per instance at target " + number(auto.targetUtilization()) + "×"
                + concurrency.softLimit();

        Map<String, Integer> target = new TreeMap<>();
        Map<String, Double> demand = new TreeMap<>();
        Map<String, String> reasons = new TreeMap<>();
        List<String> ranged = new ArrayList<>();
        for (String region : new TreeMap<>(scale.regions()).keySet()) {
            Autoscale.Range range = scale.range(region);
            int was = current.getOrDefault(region, 0);
            if (range.min() == range.max()) {
                target.put(region, was);
                continue;
            }
            ranged.add(region);
            List<DemandSample> samples = window.of(region);
            double recent = peak(samples, upFrom, connections);
            int askedNow = count(recent, perInstance);
            int up = range.clamp(askedNow);
            demand.put(region, recent);
            if (up >= was) {
                target.put(region, up);
                reasons.put(region, arriving(recent, connections, region) + ", " + per + bound(askedNow, range));
            } else if (was > range.max()) {
                target.put(region, range.max());
                reasons.put(region, "above the region's max " + range.max());
            } else if (!covered) {
                target.put(region, was);
            } else {
                double windowPeak = peak(samples, downFrom, connections);
                int askedInWindow = count(windowPeak, perInstance);
                target.put(region, Math.max(up, range.clamp(askedInWindow)));
                demand.put(region, windowPeak);
                reasons.put(region, "at most " + arriving(windowPeak, connections, region) + " over the last "
                        + Durations.format(downWindow) + ", " + per + bound(askedInWindow, range));
            }
        }
        capTotal(scale, target, demand, ranged, reasons);

        List<ScaleDecision> decisions = new ArrayList<>();
        for (String region : ranged) {
            int from = current.getOrDefault(region, 0);
            int to = target.get(region);
            if (to != from) {
                Map<String, String> data = new LinkedHashMap<>();
                data.put("region", region);
                data.put("from", Integer.toString(from));
                data.put("to", Integer.toString(to));
                data.put(connections ? "connections" : "requests_per_second", number(demand.getOrDefault(region, 0.0)));
                data.put("per_instance", number(perInstance));
                decisions.add(new ScaleDecision(region, from, to, reasons.getOrDefault(region, ""), data));
            }
        }
        return decisions;
    }

    /** Over {@code max_total}: mins first, the rest by demand per instance (largest first; ties to the larger want, then name). */
    private static void capTotal(AppConfig.Scale scale, Map<String, Integer> target, Map<String, Double> demand,
                                 List<String> ranged, Map<String, String> reasons) {
        Integer maxTotal = scale.autoscale().maxTotal();
        int total = target.values().stream().mapToInt(Integer::intValue).sum();
        if (maxTotal == null || total <= maxTotal || ranged.isEmpty()) {
            return;
        }
        int left = maxTotal;
        for (Map.Entry<String, Integer> e : target.entrySet()) {
            if (!ranged.contains(e.getKey())) {
                left -= e.getValue();
            }
        }
        Map<String, Integer> given = new TreeMap<>();
        for (String region : ranged) {
            int min = scale.range(region).min();
            given.put(region, min);
            left -= min;
        }
        while (left > 0) {
            String best = null;
            double bestShare = -1;
            for (String region : ranged) {
                int g = given.get(region);
                if (g >= target.get(region)) {
                    continue;
                }
                // The most loaded region per instance gets the next one: that minimises the busiest instance's load.
                double share = g == 0 ? Double.MAX_VALUE : demand.getOrDefault(region, 0.0) / g;
                if (best == null || share > bestShare + EPSILON
                        || (Math.abs(share - bestShare) <= EPSILON && target.get(region) > target.get(best))) {
                    best = region;
                    bestShare = share;
                }
            }
            if (best == null) {
                break;
            }
            given.merge(best, 1, Integer::sum);
            left--;
        }
        for (String region : ranged) {
            if (given.get(region) < target.get(region)) {
                target.put(region, given.get(region));
                reasons.merge(region, "; max_total " + maxTotal + " shared by demand", String::concat);
            }
        }
    }

    private static double peak(List<DemandSample> samples, Instant after, boolean connections) {
        double peak = 0;
        for (DemandSample s : samples) {
            if (s.second().isAfter(after)) {
                peak = Math.max(peak, connections ? s.connections() : s.requestsPerSecond());
            }
        }
        return peak;
    }

    private static int count(double demand, double perInstance) {
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(demand / perInstance - EPSILON));
    }

    private static String bound(int asked, Autoscale.Range range) {
        if (asked < range.min()) {
            return " (the region's min is " + range.min() + ")";
        }
        if (asked > range.max()) {
            return " (" + asked + " wanted, the region's max is " + range.max() + ")";
        }
        return "";
    }

    private static String arriving(double demand, boolean connections, String region) {
        return connections ? number(demand) + " connections open at " + region
                : number(demand) + " req/s arriving at " + region;
    }

    /** {@code 84}, {@code 0.7}, {@code 2.5}: whole numbers without decimals, others with at most two. */
    static String number(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-6) {
            return Long.toString(Math.round(v));
        }
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
