package dev.outpost.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.api.Event;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Webhook subscriptions and their deliveries. Reached through {@link Store#webhooks()}. A delivery is
 * queued in the same transaction as its event ({@link Events#append}), and every attempt is written
 * down, so a restarted server resumes the retries where they were.
 */
public final class Webhooks {
    private static final TypeReference<List<String>> EVENTS = new TypeReference<>() {};
    private static final RowMapper<Webhook> WEBHOOK = (rs, ctx) -> new Webhook(rs.getString("id"), rs.getString("url"),
            JsonText.read(rs.getString("events_json"), EVENTS, "webhooks.events_json"), rs.getString("secret"),
            Instant.ofEpochMilli(rs.getLong("created_at")));
    private static final RowMapper<WebhookDelivery> DELIVERY = (rs, ctx) -> {
        int code = rs.getInt("last_code");
        Integer lastCode = rs.wasNull() ? null : code;
        return new WebhookDelivery(rs.getLong("id"), rs.getString("webhook_id"), rs.getLong("event_id"), rs.getString("body"),
                rs.getString("status"), rs.getInt("attempts"), Instant.ofEpochMilli(rs.getLong("next_attempt")), lastCode,
                rs.getString("last_error"), Instant.ofEpochMilli(rs.getLong("updated_at")));
    };

    private final Store store;

    Webhooks(Store store) {
        this.store = store;
    }

    /** @throws StoreException.Conflict when the id exists */
    public Webhook add(Webhook webhook) {
        return store.write("add webhook " + webhook.id(), tx -> {
            tx.handle().createUpdate("""
                            INSERT INTO webhooks (id, url, events_json, secret, created_at)
                            VALUES (:id, :url, :events, :secret, :createdAt)""")
                    .bind("id", webhook.id()).bind("url", webhook.url()).bind("events", JsonText.write(webhook.events()))
                    .bind("secret", webhook.sealedSecret()).bind("createdAt", Rows.millis(webhook.createdAt())).execute();
            tx.markChanged();
            return webhook;
        });
    }

    /** Replaces the stored secret of webhook {@code id} (sealing one kept in plaintext by an older server). */
    public void replaceSecret(String id, String sealedSecret) {
        store.write("replace secret of webhook " + id, tx -> tx.handle().createUpdate("UPDATE webhooks SET secret = :secret WHERE id = :id")
                .bind("secret", sealedSecret).bind("id", id).execute());
    }

    /** Every webhook, oldest first. */
    public List<Webhook> list() {
        return store.read("webhooks", Webhooks::list);
    }

    /** Removes a webhook and the deliveries still pending for it; false when there was none. */
    public boolean remove(String id) {
        return store.write("remove webhook " + id, tx -> {
            boolean removed = tx.handle().createUpdate("DELETE FROM webhooks WHERE id = :id").bind("id", id).execute() > 0;
            if (removed) {
                tx.handle().createUpdate("DELETE FROM webhook_deliveries WHERE webhook_id = :id AND status = :pending")
                        .bind("id", id).bind("pending", WebhookDelivery.PENDING).execute();
                tx.markChanged();
            }
            return removed;
        });
    }

    /** Pending deliveries due at {@code now}, oldest first, at most {@code limit}. */
    public List<WebhookDelivery> due(Instant now, int limit) {
        return store.read("due webhook deliveries", h -> h.createQuery("""
                        SELECT * FROM webhook_deliveries WHERE status = :pending AND next_attempt <= :now
                        ORDER BY next_attempt, id LIMIT :limit""")
                .bind("pending", WebhookDelivery.PENDING).bind("now", Rows.millis(now)).bind("limit", limit)
                .map(DELIVERY).list());
    }

    /** The last {@code limit} deliveries (of one webhook, or of all when {@code webhookId} is null), newest first. */
    public List<WebhookDelivery> deliveries(String webhookId, int limit) {
        return store.read("webhook deliveries", h -> h.createQuery(webhookId == null
                        ? "SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT :limit"
                        : "SELECT * FROM webhook_deliveries WHERE webhook_id = :webhook ORDER BY id DESC LIMIT :limit")
                .bind("webhook", webhookId).bind("limit", limit).map(DELIVERY).list());
    }

    /**
     * Writes down one attempt: its outcome ({@code status}), the HTTP status code or the error, and
     * when the next is due. Not news for blocking queries: the index stays.
     */
    public void recordAttempt(long deliveryId, String status, Integer code, String error, Instant nextAttempt, Instant now) {
        store.write("record webhook attempt " + deliveryId, tx -> tx.handle().createUpdate("""
                        UPDATE webhook_deliveries SET status = :status, attempts = attempts + 1, last_code = :code,
                            last_error = :error, next_attempt = :next, updated_at = :now
                        WHERE id = :id""")
                .bind("status", status).bind("code", code).bind("error", error).bind("next", Rows.millis(nextAttempt))
                .bind("now", Rows.millis(now)).bind("id", deliveryId).execute());
    }

    /** Queues {@code event} for every webhook that wants its kind; runs in the event's transaction. */
    static void enqueue(Handle h, Event event) {
        for (Webhook w : list(h)) {
            if (!w.wants(event.kind())) {
                continue;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", event.id());
            body.put("at", event.at().toString());
            body.put("app", event.app());
            body.put("kind", event.kind());
            body.put("message", event.message());
            body.put("data", event.data());
            body.put("webhook", w.id());
            long id = h.createQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM webhook_deliveries").mapTo(Long.class).one();
            h.createUpdate("""
                            INSERT INTO webhook_deliveries (id, webhook_id, event_id, body, status, attempts, next_attempt, updated_at)
                            VALUES (:id, :webhook, :event, :body, :pending, 0, :at, :at)""")
                    .bind("id", id).bind("webhook", w.id()).bind("event", event.id()).bind("body", JsonText.write(body))
                    .bind("pending", WebhookDelivery.PENDING).bind("at", Rows.millis(event.at())).execute();
        }
    }

    private static List<Webhook> list(Handle h) {
        return h.createQuery("SELECT * FROM webhooks ORDER BY created_at, id").map(WEBHOOK).list();
    }
}
