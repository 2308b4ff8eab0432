package dev.outpost.core.api;

import java.util.List;

/** {@code GET /v1/hosts/{id}/assignments?index=N&wait=30s}: every instance placed on the host. */
public record Assignments(long index, List<Assignment> assignments) {}
