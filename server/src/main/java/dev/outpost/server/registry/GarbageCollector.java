package dev.outpost.server.registry;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Registry#collectGarbage} every {@code interval} on its own thread, keeping what
 * {@code alsoKeep} names at that moment (every release's artifact). {@link #close} stops it.
 */
public final class GarbageCollector implements AutoCloseable {
    /** Longer than any push takes between uploading a layer and pushing the manifest that references it. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    private final Registry registry;
    private final Supplier<Set<String>> alsoKeep;
    private final Duration interval;
    private final Duration grace;
    private final ScheduledExecutorService timer;

    public GarbageCollector(Registry registry, Supplier<Set<String>> alsoKeep, Duration interval, Duration grace) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("registry GC interval " + interval + " must be positive");
        }
        this.registry = registry;
        this.alsoKeep = alsoKeep;
        this.interval = interval;
        this.grace = grace;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "registry-gc");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::collect, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void collect() {
        try {
            registry.collectGarbage(alsoKeep.get(), grace);
        } catch (RuntimeException e) {
            // The next run retries; a failure must not end the schedule.
            log.warn("registry garbage collection failed (next try in {}): {}", interval, e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
