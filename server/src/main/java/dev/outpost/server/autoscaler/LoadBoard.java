package dev.outpost.server.autoscaler;

import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.LoadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The edges' recent load reports, in memory (a restarted server simply waits for a new window before it
 * scales anything down). Reports are filed by the second they arrived, by the server's clock, per app,
 * region and edge; an edge reporting twice in one second keeps its latest. Older than {@code retention}
 * is dropped. Thread-safe: the API writes, the autoscaler and the status endpoint read.
 */
public final class LoadBoard {
    /** Reports further apart than this break the evidence: a scale-down window must be seen whole. */
    public static final Duration GAP = Duration.ofSeconds(5);
    /** How long an edge's latest report counts as its current demand (status). */
    public static final Duration FRESH = Duration.ofSeconds(10);

    private final Duration retention;
    // app → region → epoch second → edge → load
    private final Map<String, Map<String, TreeMap<Long, Map<String, AppLoad>>>> loads = new HashMap<>();
    private Instant coveredSince;
    private Instant lastReport;

    /** @param retention the longest window anyone reads (the largest {@code scale_down_window} honoured) */
    public LoadBoard(Duration retention) {
        if (retention == null || retention.compareTo(GAP) < 0) {
            throw new IllegalArgumentException("load retention must be at least " + GAP + ", got " + retention);
        }
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /** Files one edge's report as arrived at {@code now}. */
    public synchronized void record(LoadReport report, Instant now) {
        if (lastReport == null || Duration.between(lastReport, now).compareTo(GAP) > 0) {
            coveredSince = now;
        }
        lastReport = now;
        long second = now.getEpochSecond();
        for (AppLoad load : report.apps()) {
            loads.computeIfAbsent(load.app(), a -> new HashMap<>())
                    .computeIfAbsent(report.region(), r -> new TreeMap<>())
                    .computeIfAbsent(second, s -> new HashMap<>())
                    .put(report.edge(), load);
        }
        prune(now);
    }

    /** The app's demand per region over the {@code length} before {@code now}, one sample per second with reports. */
    public synchronized DemandWindow window(String app, Instant now, Duration length) {
        if (coveredSince == null || Duration.between(lastReport, now).compareTo(GAP) > 0) {
            // The edges went quiet: nothing seen lately is evidence of no demand.
            return DemandWindow.EMPTY;
        }
        long from = now.minus(length).getEpochSecond();
        Map<String, List<DemandSample>> regions = new TreeMap<>();
        loads.getOrDefault(app, Map.of()).forEach((region, seconds) -> {
            List<DemandSample> samples = new ArrayList<>();
            seconds.tailMap(from, false).forEach((second, edges) -> samples.add(sum(Instant.ofEpochSecond(second), edges.values())));
            if (!samples.isEmpty()) {
                regions.put(region, samples);
            }
        });
        return new DemandWindow(coveredSince, regions);
    }

    /** Per region, the sum over its edges of each one's latest report of the app within {@link #FRESH}. */
    public synchronized Map<String, Latest> latest(String app, Instant now) {
        long from = now.minus(FRESH).getEpochSecond();
        Map<String, Latest> out = new TreeMap<>();
        loads.getOrDefault(app, Map.of()).forEach((region, seconds) -> {
            Map<String, AppLoad> newest = new HashMap<>();
            Map.Entry<Long, Map<String, AppLoad>> last = null;
            for (Map.Entry<Long, Map<String, AppLoad>> e : seconds.tailMap(from, false).entrySet()) {
                newest.putAll(e.getValue());
                last = e;
            }
            if (last != null) {
                out.put(region, new Latest(sum(Instant.ofEpochSecond(last.getKey()), newest.values()), Instant.ofEpochSecond(last.getKey())));
            }
        });
        return out;
    }

    /** When the current unbroken run of reports began; empty before the first. */
    public synchronized Optional<Instant> coveredSince() {
        return Optional.ofNullable(coveredSince);
    }

    /** A region's current demand and when the newest report in it arrived. */
    public record Latest(DemandSample demand, Instant reportedAt) {}

    private static DemandSample sum(Instant second, Iterable<AppLoad> edges) {
        double rps = 0;
        long connections = 0;
        double remote = 0;
        double unserved = 0;
        for (AppLoad l : edges) {
            rps += l.requestsPerSecond();
            connections += l.connections();
            remote += l.remotePerSecond();
            unserved += l.unservedPerSecond();
        }
        return new DemandSample(second, rps, connections, remote, unserved);
    }

    private void prune(Instant now) {
        long oldest = now.minus(retention).getEpochSecond();
        loads.values().removeIf(regions -> {
            regions.values().removeIf(seconds -> {
                seconds.headMap(oldest, true).clear();
                return seconds.isEmpty();
            });
            return regions.isEmpty();
        });
    }
}
