package dev.outpost.core.api;

import java.util.Map;

/** {@code PUT /v1/apps/{app}/scale}: the new count for each region named; other regions keep theirs. */
public record ScaleRequest(Map<String, Integer> regions) {}
