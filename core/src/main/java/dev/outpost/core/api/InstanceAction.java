package dev.outpost.core.api;

import dev.outpost.core.model.Instance;

/**
 * The answer to {@code POST /v1/instances/{id}/start|stop|restart} and {@code DELETE
 * /v1/instances/{id}}: the instance as it is after the request ({@code desired} changed, the
 * agent not yet caught up), whether the request changed anything, and a sentence for the user
 * saying what happens next (e.g. that a fresh instance replaces a destroyed one).
 */
public record InstanceAction(String action, boolean changed, Instance instance, String message) {}
