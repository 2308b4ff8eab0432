package dev.outpost.core.api;

import java.time.Instant;

/** A token as the API shows it; {@code secret} is present only in the answer to its creation. */
public record TokenInfo(String id, String name, boolean admin, Instant createdAt, String secret) {}
