package dev.outpost.server.logs;

import dev.outpost.store.Logs;
import dev.outpost.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the central log within its retention: deletes lines read more than {@code retention} ago,
 * once at {@link #start} and then every {@code every} (hourly in the server). Owns one daemon thread.
 */
public final class LogRetention implements AutoCloseable {
    public static final Duration HOURLY = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    private final Logs logs;
    private final Clock clock;
    private final Duration retention;
    private final Duration every;
    private final ScheduledExecutorService timer;

    public LogRetention(Logs logs, Clock clock, Duration retention, Duration every) {
        if (retention.isNegative() || retention.isZero() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("log retention " + retention + " and prune interval " + every + " must be longer than 0");
        }
        this.logs = logs;
        this.clock = clock;
        this.retention = retention;
        this.every = every;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "log-retention");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::pruneLogged, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes what is older than the retention now; returns how many lines went. */
    public long prune() {
        return logs.prune(clock.instant().minus(retention));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void pruneLogged() {
        try {
            long deleted = prune();
            if (deleted > 0) {
                LOG.info("deleted {} log line(s) older than {}", deleted, retention);
            }
        } catch (StoreException e) {
            // The next round tries again; a scheduled task that throws would never run again.
            LOG.error("pruning logs older than {} failed: {}", retention, e.getMessage(), e);
        }
    }
}
