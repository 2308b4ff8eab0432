package dev.outpost.core.model;

import java.time.Instant;

/** An API token. Only the SHA-256 {@code hash} of the secret is kept. */
public record Token(String id, String name, String hash, boolean admin, Instant createdAt) {}
