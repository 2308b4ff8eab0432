package dev.outpost.store;

import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The meter's raw data: run intervals of instances, opened and closed by the instance reports
 * themselves ({@link Store#applyReport} calls {@link #track} in its transaction), never by a timer in
 * memory, so a crash of the server neither loses a run nor counts one twice. Reached through
 * {@link Store#usage()}.
 */
public final class Usage {
    /** The size an instance is priced at when its release is gone (the {@code [vm]} default). */
    static final String DEFAULT_SIZE = "shared-1x";

    private static final RowMapper<UsageInterval> INTERVAL = (rs, ctx) -> {
        long stopped = rs.getLong("stopped_at");
        boolean open = rs.wasNull();
        return new UsageInterval(rs.getString("instance_id"), rs.getString("app"), rs.getString("vm_size"),
                Instant.ofEpochMilli(rs.getLong("started_at")), open ? null : Instant.ofEpochMilli(stopped));
    };

    private final Store store;

    Usage(Store store) {
        this.store = store;
    }

    /** The runs of {@code app} that overlap {@code [from, to)}, open ones included, by start. */
    public List<UsageInterval> intervals(String app, Instant from, Instant to) {
        return store.read("usage of " + app, h -> h.createQuery("""
                        SELECT * FROM usage_intervals
                        WHERE app = :app AND started_at < :to AND (stopped_at IS NULL OR stopped_at > :from)
                        ORDER BY started_at, instance_id""")
                .bind("app", app).bind("from", Rows.millis(from)).bind("to", Rows.millis(to)).map(INTERVAL).list());
    }

    /**
     * When the state of {@code report} began, for the meter: the agent's {@code observedAt}, or
     * {@code now} (when the server got it) if the agent did not say or its clock is ahead of ours.
     */
    public static Instant observed(InstanceReport report, Instant now) {
        Instant at = report.observedAt();
        return at == null || at.isAfter(now) ? now : at;
    }

    /**
     * Opens a run when an instance is reported {@code started} and has none open, closes the open one
     * when it is reported anything else; both at {@code at}, when the agent saw the change (a report
     * that arrives late, or is retried across a server restart, neither loses nor adds time). A run
     * never starts before the instance's previous one ended nor ends before it started. Nothing is
     * opened for an app that no longer exists. Idempotent: a repeated report changes nothing.
     */
    static void track(Handle h, Instance instance, InstanceState reported, Instant at) {
        boolean open = h.createQuery("SELECT COUNT(*) FROM usage_intervals WHERE instance_id = :id AND stopped_at IS NULL")
                .bind("id", instance.id()).mapTo(Long.class).one() > 0;
        if (reported == InstanceState.STARTED && !open) {
            boolean appExists = h.createQuery("SELECT COUNT(*) FROM apps WHERE name = :app").bind("app", instance.app())
                    .mapTo(Long.class).one() > 0;
            if (!appExists) {
                return;
            }
            String size = h.createQuery("SELECT * FROM releases WHERE app = :app AND version = :version")
                    .bind("app", instance.app()).bind("version", instance.release()).map(Rows.RELEASE).findOne()
                    .map(Release::config).map(c -> c.vm() == null ? DEFAULT_SIZE : c.vm().size()).orElse(DEFAULT_SIZE);
            long lastStop = h.createQuery("SELECT COALESCE(MAX(stopped_at), 0) FROM usage_intervals WHERE instance_id = :id")
                    .bind("id", instance.id()).mapTo(Long.class).one();
            h.createUpdate("""
                            INSERT INTO usage_intervals (instance_id, app, vm_size, started_at, stopped_at)
                            VALUES (:id, :app, :size, :at, NULL)""")
                    .bind("id", instance.id()).bind("app", instance.app()).bind("size", size)
                    .bind("at", Math.max(lastStop, Rows.millis(at))).execute();
        } else if (reported != InstanceState.STARTED && open) {
            close(h, instance.id(), at);
        }
    }

    /** Ends the instance's open run, if any, at {@code at} (never before it started). */
    static void close(Handle h, String instanceId, Instant at) {
        h.createUpdate("""
                        UPDATE usage_intervals SET stopped_at = CASE WHEN started_at > :at THEN started_at ELSE :at END
                        WHERE instance_id = :id AND stopped_at IS NULL""")
                .bind("id", instanceId).bind("at", Rows.millis(at)).execute();
    }

    /** Forgets the runs of a deleted app, so an app created later under its name starts from nothing. */
    static void forget(Handle h, String app) {
        h.createUpdate("DELETE FROM usage_intervals WHERE app = :app").bind("app", app).execute();
    }
}
