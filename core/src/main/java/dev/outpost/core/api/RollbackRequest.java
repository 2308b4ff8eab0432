package dev.outpost.core.api;

/**
 * {@code POST /v1/apps/{app}/rollback}: the release to go back to, or null for the newest release
 * older than the current one that served once.
 */
public record RollbackRequest(Integer version) {}
