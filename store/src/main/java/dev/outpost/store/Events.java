package dev.outpost.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.api.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * What happened to apps (scaling decisions, budget thresholds, deploys), in id order. Reached through
 * {@link Store#events()}. Every append bumps the global index, so {@code outpost events --follow}
 * is a blocking query like any other.
 */
public final class Events {
    private static final TypeReference<Map<String, String>> DATA = new TypeReference<>() {};
    static final RowMapper<Event> EVENT = (rs, ctx) -> new Event(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("at")),
            rs.getString("app"), rs.getString("kind"), rs.getString("message"),
            JsonText.read(rs.getString("data_json"), DATA, "events.data_json"));

    private final Store store;

    Events(Store store) {
        this.store = store;
    }

    /** Appends one event, queues it for the webhooks that want it, and returns it with its id (one more than the last). */
    public Event append(String app, String kind, String message, Map<String, String> data, Instant at) {
        return store.write("append event " + kind + " for " + app, tx -> {
            Event event = insert(tx.handle(), app, kind, message, data, at);
            Webhooks.enqueue(tx.handle(), event);
            tx.markChanged();
            return event;
        });
    }

    /** Events after {@code sinceId}, oldest first, at most {@code limit}; {@code app} null means every app. */
    public List<Event> list(String app, long sinceId, int limit) {
        return store.read("events of " + (app == null ? "every app" : app), h -> h.createQuery(app == null
                        ? "SELECT * FROM events WHERE id > :since ORDER BY id LIMIT :limit"
                        : "SELECT * FROM events WHERE app = :app AND id > :since ORDER BY id LIMIT :limit")
                .bind("app", app).bind("since", sinceId).bind("limit", limit).map(EVENT).list());
    }

    /** The last {@code limit} events of {@code app}, oldest first. */
    public List<Event> latest(String app, int limit) {
        List<Event> newestFirst = store.read("latest events of " + app, h -> h.createQuery(
                        "SELECT * FROM events WHERE app = :app ORDER BY id DESC LIMIT :limit")
                .bind("app", app).bind("limit", limit).map(EVENT).list());
        return newestFirst.reversed();
    }

    static Event insert(Handle h, String app, String kind, String message, Map<String, String> data, Instant at) {
        long id = h.createQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM events").mapTo(Long.class).one();
        Event event = new Event(id, Instant.ofEpochMilli(at.toEpochMilli()), app, kind, message, data);
        h.createUpdate("INSERT INTO events (id, at, app, kind, message, data_json) VALUES (:id, :at, :app, :kind, :message, :data)")
                .bind("id", id).bind("at", Rows.millis(at)).bind("app", app).bind("kind", kind).bind("message", message)
                .bind("data", JsonText.write(event.data())).execute();
        return event;
    }
}
