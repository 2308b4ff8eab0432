package dev.outpost.server.edges;

import dev.outpost.store.Edges;
import dev.outpost.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets edges that stopped heartbeating. An edge that crashed or was switched off never says
 * {@code DELETE /v1/edges/{id}}; without this its peers would keep probing it and {@code outpost regions}
 * would show it forever. An edge heartbeats every 10 s, so {@link #DEFAULT_AFTER} (one minute) is six missed
 * heartbeats: long enough that a server restart or a slow network does not drop live edges, and an edge that
 * comes back simply registers again. Deleting bumps the global index, so the peers' blocking queries on
 * {@code /v1/edges} wake and they stop probing it. Owns one daemon thread.
 */
public final class EdgeExpiry implements AutoCloseable {
    public static final Duration DEFAULT_AFTER = Duration.ofMinutes(1);
    public static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(EdgeExpiry.class);

    private final Edges edges;
    private final Clock clock;
    private final Duration after;
    private final Duration every;
    private final ScheduledExecutorService timer;

    public EdgeExpiry(Edges edges, Clock clock, Duration after, Duration every) {
        if (after.isNegative() || after.isZero() || every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("edge expiry " + after + " and sweep interval " + every + " must be longer than 0");
        }
        this.edges = edges;
        this.clock = clock;
        this.after = after;
        this.every = every;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-expiry");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::sweepLogged, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes the edges last seen more than {@code after} ago; returns their ids. */
    public List<String> sweep() {
        return edges.deleteUnseenSince(clock.instant().minus(after));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void sweepLogged() {
        try {
            for (String gone : sweep()) {
                LOG.info("forgot edge {}: no heartbeat for more than {}", gone, after);
            }
        } catch (StoreException e) {
            // The next sweep tries again; a scheduled task that throws would never run again.
            LOG.error("expiring edges not seen for {} failed: {}", after, e.getMessage(), e);
        }
    }
}
