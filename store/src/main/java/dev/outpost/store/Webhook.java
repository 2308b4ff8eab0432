package dev.outpost.store;

import java.time.Instant;
import java.util.List;

/**
 * A subscription: events whose kind's first segment is in {@code events} ({@code budget},
 * {@code deploy}, {@code instance}, {@code scale}) are POSTed to {@code url}, signed with its secret.
 * The store keeps the secret only as {@code sealedSecret}, sealed by the server's secrets key.
 */
public record Webhook(String id, String url, List<String> events, String sealedSecret, Instant createdAt) {
    public Webhook {
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** Whether an event of {@code kind} (dotted, e.g. {@code budget.80}) goes to this webhook. */
    public boolean wants(String kind) {
        int dot = kind.indexOf('.');
        return events.contains(dot < 0 ? kind : kind.substring(0, dot));
    }
}
