package dev.outpost.agent.check;

import dev.outpost.core.model.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one instance's probes, each on its own virtual thread: the first at once, then every interval.
 * During the grace period a failure does not count: the probe tries again after {@link #GRACE_RETRY}
 * (the app may still be booting), so an instance that is ready early is passing early — a started instance
 * takes traffic one probe after it listens, not one grace period or interval later (autostart's cold start). Health is {@code passing} when every probe's last result passed, {@code failing}
 * when any failed, {@code unknown} before every probe answered. The listener hears of every change
 * of health (not of every result) and, once, of a probe failing {@code failureThreshold} times in a row.
 */
public final class InstanceChecks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceChecks.class);
    /** How soon a probe that failed during the grace period tries again. */
    static final Duration GRACE_RETRY = Duration.ofMillis(50);

    /** Declared by whoever reacts to the verdicts; called from the probe threads. */
    public interface Listener {
        /** Health changed; {@code message} names the failing check and its last result, null when passing. */
        void healthChanged(Health health, String message);

        /** A probe failed {@code failureThreshold} times in a row; the instance should be restarted. */
        void failingRepeatedly(String message);
    }

    private final String instanceId;
    private final List<Probe> probes;
    private final int failureThreshold;
    private final Listener listener;
    private final Map<Probe, ProbeResult> last = new HashMap<>();
    private final Map<Probe, Integer> failuresInARow = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private Health health = Health.UNKNOWN;
    private boolean closed;

    public InstanceChecks(String instanceId, List<Probe> probes, int failureThreshold, Listener listener) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failure threshold " + failureThreshold + " must be at least 1");
        }
        this.instanceId = instanceId;
        this.probes = List.copyOf(probes);
        this.failureThreshold = failureThreshold;
        this.listener = listener;
    }

    /** Starts the probe threads. */
    public synchronized InstanceChecks start() {
        for (Probe probe : probes) {
            threads.add(Thread.ofVirtual().name("check-" + instanceId + "-" + probe.name()).start(() -> loop(probe)));
        }
        return this;
    }

    /** The current verdict. */
    public synchronized Health health() {
        return health;
    }

    /** Stops every probe thread and waits for them; no listener call happens after this returns. */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (this) {
            closed = true;
            toJoin = List.copyOf(threads);
        }
        toJoin.forEach(Thread::interrupt);
        for (Thread t : toJoin) {
            if (t == Thread.currentThread()) {
                continue; // a listener closing its own checks from a probe thread
            }
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop(Probe probe) {
        try {
            long graceEnds = System.nanoTime() + probe.gracePeriod().toNanos();
            while (!Thread.currentThread().isInterrupted()) {
                ProbeResult result = probe.run();
                long graceLeft = graceEnds - System.nanoTime();
                if (!result.passing() && graceLeft > 0) {
                    Thread.sleep(Math.min(GRACE_RETRY.toNanos(), Math.min(graceLeft, probe.interval().toNanos())) / 1_000_000L + 1);
                    continue;
                }
                // A pass during the grace period ends it: later failures count.
                graceEnds = 0;
                record(probe, result);
                Thread.sleep(probe.interval());
            }
        } catch (InterruptedException e) {
            // closed: the instance stopped or its checks were replaced
        } catch (RuntimeException e) {
            LOG.error("check {} of instance {} broke down", probe.name(), instanceId, e);
        }
    }

    private synchronized void record(Probe probe, ProbeResult result) {
        if (closed) {
            return;
        }
        last.put(probe, result);
        int inARow = result.passing() ? 0 : failuresInARow.getOrDefault(probe, 0) + 1;
        failuresInARow.put(probe, inARow);
        Health now = verdict();
        if (now != health) {
            health = now;
            String message = now == Health.FAILING ? failingMessage() : null;
            LOG.info("instance {} is {}{}", instanceId, now.wire(), message == null ? "" : ": " + message);
            listener.healthChanged(now, message);
        }
        if (inARow == failureThreshold) {
            listener.failingRepeatedly(result.detail() + " (" + inARow + " times in a row)");
        }
    }

    private Health verdict() {
        if (last.values().stream().anyMatch(r -> !r.passing())) {
            return Health.FAILING;
        }
        return last.size() == probes.size() ? Health.PASSING : Health.UNKNOWN;
    }

    private String failingMessage() {
        return String.join("; ", probes.stream().map(last::get)
                .filter(r -> r != null && !r.passing()).map(ProbeResult::detail).toList());
    }
}
