package dev.outpost.core.api;

import java.util.List;

/**
 * {@code GET /v1/apps/{app}/logs}: matching lines, oldest first, and the cursor to pass as
 * {@code after} to get only newer ones (follow mode). The cursor moves past lines the filters
 * skipped, so following a rare {@code grep} does not scan the same lines again.
 */
public record LogPage(List<LogLine> lines, long cursor) {
    public LogPage {
        lines = lines == null ? List.of() : List.copyOf(lines);
    }
}
