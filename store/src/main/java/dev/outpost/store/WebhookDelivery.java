package dev.outpost.store;

import java.time.Instant;

/**
 * One event on its way to one webhook: {@code status} is {@code pending} (another attempt is due at
 * {@code nextAttempt}), {@code delivered} or {@code failed} (gave up); {@code lastCode} and
 * {@code lastError} say how the last attempt went.
 */
public record WebhookDelivery(long id, String webhookId, long eventId, String body, String status, int attempts,
                              Instant nextAttempt, Integer lastCode, String lastError, Instant updatedAt) {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
}
