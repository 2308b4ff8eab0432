package dev.outpost.core.api;

import java.util.List;

/** {@code GET /v1/edges}: every registered edge, by id, at a global index (a blocking query with {@code ?index=N}). */
public record EdgeList(long index, List<EdgeInfo> edges) {
    public EdgeList {
        edges = edges == null ? List.of() : List.copyOf(edges);
    }
}
