package dev.outpost.store;

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
     * Opens a run when an instance is reported {@code started} and has none open, closes the open one
     * when it is reported anything else. Idempotent: a repeated report changes nothing.
     */
    static void track(Handle h, Instance instance, InstanceState reported, Instant now) {
        boolean open = h.createQuery("SELECT COUNT(*) FROM usage_intervals WHERE instance_id = :id AND stopped_at IS NULL")
                .bind("id", instance.id()).mapTo(Long.class).one() > 0;
        if (reported == InstanceState.STARTED && !open) {
            String size = h.createQuery("SELECT * FROM releases WHERE app = :app AND version = :version")
                    .bind("app", instance.app()).bind("version", instance.release()).map(Rows.RELEASE).findOne()
                    .map(Release::config).map(c -> c.vm() == null ? DEFAULT_SIZE : c.vm().size()).orElse(DEFAULT_SIZE);
            h.createUpdate("""
                            INSERT INTO usage_intervals (instance_id, app, vm_size, started_at, stopped_at)
                            VALUES (:id, :app, :size, :at, NULL)""")
                    .bind("id", instance.id()).bind("app", instance.app()).bind("size", size).bind("at", Rows.millis(now))
                    .execute();
        } else if (reported != InstanceState.STARTED && open) {
            h.createUpdate("UPDATE usage_intervals SET stopped_at = :at WHERE instance_id = :id AND stopped_at IS NULL")
                    .bind("id", instance.id()).bind("at", Rows.millis(now)).execute();
        }
    }
}
