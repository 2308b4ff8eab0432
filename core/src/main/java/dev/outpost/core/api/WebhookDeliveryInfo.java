package dev.outpost.core.api;

import java.time.Instant;

/**
 * One event on its way to one webhook: {@code status} pending, delivered or failed (gave up), how many
 * attempts were made, when the next is due, and the last answer's status code or error.
 */
public record WebhookDeliveryInfo(long id, String webhookId, long eventId, String status, int attempts, Instant nextAttempt,
                                  Integer lastCode, String lastError, Instant updatedAt) {}
