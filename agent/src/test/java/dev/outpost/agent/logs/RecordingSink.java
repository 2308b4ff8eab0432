package dev.outpost.agent.logs;

import dev.outpost.agent.control.ControlPlaneException;
import dev.outpost.core.api.LogBatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link LogSink} that keeps every batch it took, and can play a server that is down. */
final class RecordingSink implements LogSink {
    private final List<LogBatch> batches = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile boolean down;

    @Override
    public void ship(LogBatch batch) throws ControlPlaneException {
        if (down) {
            refused.incrementAndGet();
            throw new ControlPlaneException("POST /v1/logs failed: java.net.ConnectException (server down)", 0, null);
        }
        batches.add(batch);
    }

    void down(boolean down) {
        this.down = down;
    }

    int refused() {
        return refused.get();
    }

    List<LogBatch> batches() {
        return List.copyOf(batches);
    }

    List<LogBatch.Line> lines() {
        return batches.stream().flatMap(b -> b.lines().stream()).toList();
    }

    List<String> texts() {
        return lines().stream().map(LogBatch.Line::line).toList();
    }
}
