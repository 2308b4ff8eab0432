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

    /**
     * When the app was last seen busy in the reports of the {@code length} before {@code now}: per region, the
     * last second its edges had requests arriving or user connections open; per instance, the last second an
     * edge counted requests in flight on it; and the last second any edge sent requests to another region
     * (the reports do not say which instance took those). {@link Activity#NONE} when the edges went quiet,
     * like {@link #window}: silence is no evidence of idleness.
     */
    public synchronized Activity activity(String app, Instant now, Duration length) {
        if (coveredSince == null || Duration.between(lastReport, now).compareTo(GAP) > 0) {
            return Activity.NONE;
        }
        long from = now.minus(length).getEpochSecond();
        Map<String, Instant> regions = new HashMap<>();
        Map<String, Instant> instances = new HashMap<>();
        Instant remote = null;
        for (Map.Entry<String, TreeMap<Long, Map<String, AppLoad>>> r : loads.getOrDefault(app, Map.of()).entrySet()) {
            for (Map.Entry<Long, Map<String, AppLoad>> second : r.getValue().tailMap(from, false).entrySet()) {
                Instant at = Instant.ofEpochSecond(second.getKey());
                for (AppLoad l : second.getValue().values()) {
                    if (l.requests() > 0 || l.requestsPerSecond() > 0 || l.connections() > 0) {
                        regions.merge(r.getKey(), at, LoadBoard::later);
                    }
                    if (l.remotePerSecond() > 0) {
                        remote = later(remote, at);
                    }
                    for (AppLoad.InstanceLoad i : l.instances()) {
                        if (i.inFlight() > 0) {
                            instances.merge(i.instanceId(), at, LoadBoard::later);
                        }
                    }
                }
            }
        }
        return new Activity(coveredSince, regions, instances, remote);
    }

    /**
     * An app's recent activity as {@link #activity} reads it; {@code coveredSince} is when the current unbroken
     * run of reports began (null: the edges are quiet, nothing is known).
     */
    public record Activity(Instant coveredSince, Map<String, Instant> regions, Map<String, Instant> instances, Instant remote) {
        public static final Activity NONE = new Activity(null, Map.of(), Map.of(), null);

        public Activity {
            regions = regions == null ? Map.of() : Map.copyOf(regions);
            instances = instances == null ? Map.of() : Map.copyOf(instances);
        }

        /**
         * The last second the instance may have served anyone: requests in flight on it, demand at its region's
         * edges (served there while it had capacity), or requests any edge sent across regions; null when none.
         */
        public Instant lastBusy(String instanceId, String region) {
            return later(later(instances.get(instanceId), regions.get(region)), remote);
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
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
