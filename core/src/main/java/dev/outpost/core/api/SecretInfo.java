package dev.outpost.core.api;

import java.time.Instant;

/**
 * One secret of an app as {@code GET /v1/apps/{app}/secrets} lists it: its name, a prefix of the
 * SHA-256 of its value (to tell whether two values differ without showing either) and when it
 * last changed. Never the value.
 */
public record SecretInfo(String name, String digest, Instant updatedAt) {}
