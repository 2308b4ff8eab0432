package dev.outpost.core.api;

import dev.outpost.core.model.Host;
import java.util.List;

/** {@code GET /v1/regions}: a region with its hosts. */
public record RegionInfo(String code, String name, List<Host> hosts) {}
