package dev.outpost.agent.logs;

import dev.outpost.core.api.LogBatch;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lines read but not yet stored by the server, oldest first, at most {@code capacity} of them.
 * When full, the oldest line makes room and is counted per instance; the next batch then opens with
 * one "N log lines dropped" marker per instance, so whoever reads the logs sees the gap. Not
 * thread-safe: the shipper's thread owns it.
 */
final class ShipBuffer {
    /** A line waiting to be shipped, with where it came from in its file. */
    record Pending(String instanceId, String app, Instant time, String text, String fileKey, String stream, long end) {
        LogBatch.Line wire(String region) {
            return new LogBatch.Line(instanceId, app, region, time, text, stream + ":" + end);
        }
    }

    /** What went into a batch, to {@link #acknowledge} once the server stored it. */
    record Batch(List<LogBatch.Line> wire, List<Pending> lines, List<String> markedInstances) {}

    private record Drops(String app, long count, Instant last) {}

    private final int capacity;
    private final ArrayDeque<Pending> lines = new ArrayDeque<>();
    private final Map<String, Integer> perInstance = new HashMap<>();
    private final Map<String, Drops> drops = new LinkedHashMap<>();

    ShipBuffer(int capacity) {
        this.capacity = capacity;
    }

    /** Appends {@code line}; returns the oldest line it dropped to make room, or null. */
    Pending add(Pending line) {
        Pending dropped = null;
        if (lines.size() >= capacity) {
            dropped = lines.removeFirst();
            forget(dropped);
            drops.merge(dropped.instanceId(), new Drops(dropped.app(), 1, dropped.time()),
                    (a, b) -> new Drops(a.app(), a.count() + 1, b.last()));
        }
        lines.addLast(line);
        perInstance.merge(line.instanceId(), 1, Integer::sum);
        return dropped;
    }

    /** Lines waiting, markers not counted. */
    int size() {
        return lines.size();
    }

    /** True when neither lines nor drop markers wait. */
    boolean isEmpty() {
        return lines.isEmpty() && drops.isEmpty();
    }

    /** True while lines or a drop marker of {@code instanceId} wait. */
    boolean holds(String instanceId) {
        return perInstance.containsKey(instanceId) || drops.containsKey(instanceId);
    }

    /** The next batch: the drop markers, then the oldest lines, {@code max} in all (markers always go). */
    Batch next(int max, String region) {
        List<LogBatch.Line> wire = new ArrayList<>();
        List<String> marked = new ArrayList<>();
        for (Map.Entry<String, Drops> e : drops.entrySet()) {
            Drops d = e.getValue();
            wire.add(new LogBatch.Line(e.getKey(), d.app(), region, d.last(), "[outpost] " + d.count() + " log line"
                    + (d.count() == 1 ? "" : "s") + " dropped: the server was unreachable and the agent's buffer ("
                    + capacity + " lines) was full", null));
            marked.add(e.getKey());
        }
        List<Pending> taken = new ArrayList<>();
        Iterator<Pending> it = lines.iterator();
        while (it.hasNext() && wire.size() < Math.max(max, marked.size() + 1)) {
            Pending p = it.next();
            taken.add(p);
            wire.add(p.wire(region));
        }
        return new Batch(wire, taken, marked);
    }

    /** The server stored {@code batch}: its lines and markers leave the buffer. */
    void acknowledge(Batch batch) {
        for (Pending p : batch.lines()) {
            Pending head = lines.removeFirst();
            if (head != p) {
                throw new IllegalStateException("log buffer changed under a batch in flight");
            }
            forget(head);
        }
        batch.markedInstances().forEach(drops::remove);
    }

    private void forget(Pending p) {
        perInstance.computeIfPresent(p.instanceId(), (k, n) -> n == 1 ? null : n - 1);
    }
}
