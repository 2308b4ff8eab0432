package dev.outpost.store;

import dev.outpost.core.api.LogBatch;
import dev.outpost.core.api.LogLine;
import dev.outpost.core.api.LogPage;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * The central log: lines agents shipped, by arrival ({@code id}, which is also the follow cursor).
 *
 * <p>Appending does not bump the global index: logs arrive every second from every agent, and
 * blocking queries on assignments or routes must not wake for them. Followers are woken by the
 * server in-process instead. Ids come from a counter row, so with writes serialized by the store
 * a reader that saw counter value N also sees every line up to N.
 */
public final class Logs {
    /** Rows deleted per transaction when pruning, so a big prune never holds the write lock for long. */
    static final int PRUNE_CHUNK = 10_000;

    private final Store store;
    private volatile Boolean postgres;

    Logs(Store store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Appends {@code lines} in order. A line whose instance and {@code origin} are already stored is
     * skipped (the agent sent its batch again).
     *
     * @return the cursor after the append: the last id handed out
     */
    public long append(List<LogBatch.Line> lines) {
        if (lines.isEmpty()) {
            return lastId();
        }
        return store.write("appendLogs (" + lines.size() + " lines)", tx -> {
            Handle h = tx.handle();
            h.createUpdate("UPDATE log_seq SET last_id = last_id + :n WHERE id = 1").bind("n", lines.size()).execute();
            long last = h.createQuery("SELECT last_id FROM log_seq WHERE id = 1").mapTo(Long.class).one();
            long id = last - lines.size();
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO logs (id, app, instance_id, region, time, line, origin)
                    VALUES (:id, :app, :instance, :region, :time, :line, :origin)
                    ON CONFLICT (instance_id, origin) DO NOTHING""");
            for (LogBatch.Line l : lines) {
                batch.bind("id", ++id)
                        .bind("app", l.app())
                        .bind("instance", l.instanceId())
                        .bind("region", l.region())
                        .bind("time", Rows.millis(l.time()))
                        .bind("line", l.line())
                        .bind("origin", l.origin())
                        .add();
            }
            batch.execute();
            return last;
        });
    }

    /** The last id handed out: a cursor that skips every line stored so far. */
    public long lastId() {
        return store.read("lastLogId", Logs::lastId);
    }

    /** The lines {@code q} asks for, oldest first, with the cursor to follow from. */
    public LogPage query(LogQuery q) {
        return store.read("queryLogs " + q.app(), h -> {
            // Read the counter first and stay below it: lines appended meanwhile belong to the next call.
            long upTo = lastId(h);
            boolean tail = q.after() == null;
            StringBuilder sql = new StringBuilder(
                    "SELECT id, app, instance_id, region, time, line FROM logs WHERE app = :app AND id <= :upTo");
            if (!tail) {
                sql.append(" AND id > :after");
            }
            if (q.since() != null) {
                sql.append(" AND time >= :since");
            }
            if (q.region() != null) {
                sql.append(" AND region = :region");
            }
            if (q.instanceId() != null) {
                sql.append(" AND instance_id = :instance");
            }
            if (q.grep() != null) {
                // Both are plain, case-sensitive substring tests (LIKE differs between the two and has wildcards).
                sql.append(isPostgres(h) ? " AND strpos(line, :grep) > 0" : " AND instr(line, :grep) > 0");
            }
            sql.append(tail ? " ORDER BY id DESC" : " ORDER BY id ASC").append(" LIMIT :limit");
            Query query = h.createQuery(sql.toString())
                    .bind("app", q.app())
                    .bind("upTo", upTo)
                    .bind("limit", q.limit());
            if (!tail) {
                query.bind("after", q.after());
            }
            if (q.since() != null) {
                query.bind("since", Rows.millis(q.since()));
            }
            if (q.region() != null) {
                query.bind("region", q.region());
            }
            if (q.instanceId() != null) {
                query.bind("instance", q.instanceId());
            }
            if (q.grep() != null) {
                query.bind("grep", q.grep());
            }
            List<Row> rows = query.map((rs, ctx) -> new Row(rs.getLong("id"), new LogLine(rs.getString("app"),
                    rs.getString("region"), rs.getString("instance_id"), Instant.ofEpochMilli(rs.getLong("time")),
                    rs.getString("line")))).list();
            long cursor;
            if (tail) {
                rows = new ArrayList<>(rows);
                Collections.reverse(rows);
                cursor = Math.max(upTo, 0);
            } else if (rows.size() == q.limit()) {
                cursor = rows.getLast().id();
            } else {
                cursor = Math.max(upTo, q.after());
            }
            return new LogPage(rows.stream().map(Row::line).toList(), cursor);
        });
    }

    /**
     * Deletes every line read before {@code before}, in chunks of {@link #PRUNE_CHUNK}.
     *
     * @return how many lines were deleted
     */
    public long prune(Instant before) {
        long total = 0;
        while (true) {
            int deleted = store.write("pruneLogs before " + before, tx -> tx.handle().createUpdate("""
                            DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE time < :before ORDER BY id LIMIT :chunk)""")
                    .bind("before", Rows.millis(before))
                    .bind("chunk", PRUNE_CHUNK)
                    .execute());
            total += deleted;
            if (deleted < PRUNE_CHUNK) {
                return total;
            }
        }
    }

    private static long lastId(Handle h) {
        return h.createQuery("SELECT last_id FROM log_seq WHERE id = 1").mapTo(Long.class).one();
    }

    private boolean isPostgres(Handle h) {
        Boolean known = postgres;
        if (known == null) {
            try {
                known = h.getConnection().getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
            } catch (SQLException e) {
                throw new StoreException("cannot tell which database the store " + store.target() + " is: " + e.getMessage(), e);
            }
            postgres = known;
        }
        return known;
    }

    private record Row(long id, LogLine line) {}
}
