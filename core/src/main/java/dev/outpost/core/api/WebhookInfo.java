package dev.outpost.core.api;

import java.time.Instant;
import java.util.List;

/**
 * A webhook: where events go and which kinds ({@code budget}, {@code deploy}, {@code instance},
 * {@code scale}). {@code secret} signs the bodies; it is only in the answer to the add, never in a list.
 */
public record WebhookInfo(String id, String url, List<String> events, String secret, Instant createdAt) {
    public WebhookInfo {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
