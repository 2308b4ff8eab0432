package dev.outpost.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.RegionRtt;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Edge proxies and the round trips each measured to the other regions. Reached through
 * {@link Store#edges()}.
 */
public final class Edges {
    private static final TypeReference<Map<String, RegionRtt>> RTT = new TypeReference<>() {};
    private static final RowMapper<EdgeInfo> EDGE = (rs, ctx) -> new EdgeInfo(rs.getString("id"), rs.getString("region"),
            rs.getString("probe_address"), JsonText.read(rs.getString("rtt"), RTT, "edges.rtt"),
            Instant.ofEpochMilli(rs.getLong("last_seen")), rs.getString("dedicated_block"));

    private final Store store;

    Edges(Store store) {
        this.store = store;
    }

    /**
     * Registers or refreshes an edge. The index is bumped only when the edge is new or its region,
     * probe address or dedicated block changed: new measurements alone are not news to blocking queries.
     *
     * @return the edge as stored
     */
    public EdgeInfo upsert(EdgeInfo edge) {
        return store.write("upsert edge " + edge.id(), tx -> {
            Handle h = tx.handle();
            Optional<EdgeInfo> old = find(h, edge.id());
            if (old.isEmpty()) {
                h.createUpdate("""
                                INSERT INTO edges (id, region, probe_address, rtt, last_seen, dedicated_block)
                                VALUES (:id, :region, :probe, :rtt, :seen, :block)""")
                        .bind("id", edge.id()).bind("region", edge.region()).bind("probe", edge.probeAddress())
                        .bind("rtt", JsonText.write(edge.rtt())).bind("seen", Rows.millis(edge.lastSeen()))
                        .bind("block", edge.dedicatedBlock()).execute();
                tx.markChanged();
            } else {
                h.createUpdate("""
                                UPDATE edges SET region = :region, probe_address = :probe, rtt = :rtt, last_seen = :seen,
                                    dedicated_block = :block
                                WHERE id = :id""")
                        .bind("id", edge.id()).bind("region", edge.region()).bind("probe", edge.probeAddress())
                        .bind("rtt", JsonText.write(edge.rtt())).bind("seen", Rows.millis(edge.lastSeen()))
                        .bind("block", edge.dedicatedBlock()).execute();
                if (!Objects.equals(old.get().region(), edge.region()) || !Objects.equals(old.get().probeAddress(), edge.probeAddress())
                        || !Objects.equals(old.get().dedicatedBlock(), edge.dedicatedBlock())) {
                    tx.markChanged();
                }
            }
            return find(h, edge.id()).orElseThrow();
        });
    }

    public Optional<EdgeInfo> find(String id) {
        return store.read("edge " + id, h -> find(h, id));
    }

    /** Every edge, by id. */
    public List<EdgeInfo> list() {
        return store.read("edges", h -> h.createQuery("SELECT * FROM edges ORDER BY id").map(EDGE).list());
    }

    /**
     * Forgets the edges last seen before {@code cutoff}, in one statement so that an edge heartbeating at the
     * same moment is kept; returns the ids that went. Bumps the index when any did.
     */
    public List<String> deleteUnseenSince(Instant cutoff) {
        return store.write("delete edges unseen since " + cutoff, tx -> {
            List<String> stale = tx.handle().createQuery("SELECT id FROM edges WHERE last_seen < :cutoff ORDER BY id")
                    .bind("cutoff", Rows.millis(cutoff)).mapTo(String.class).list();
            int deleted = tx.handle().createUpdate("DELETE FROM edges WHERE last_seen < :cutoff")
                    .bind("cutoff", Rows.millis(cutoff)).execute();
            if (deleted > 0) {
                tx.markChanged();
            }
            return stale;
        });
    }

    /** Forgets an edge (it stopped for good); true when there was one. Bumps the index: peers stop probing it. */
    public boolean delete(String id) {
        return store.write("delete edge " + id, tx -> {
            boolean deleted = tx.handle().createUpdate("DELETE FROM edges WHERE id = :id").bind("id", id).execute() > 0;
            if (deleted) {
                tx.markChanged();
            }
            return deleted;
        });
    }

    private static Optional<EdgeInfo> find(Handle h, String id) {
        return h.createQuery("SELECT * FROM edges WHERE id = :id").bind("id", id).map(EDGE).findOne();
    }
}
