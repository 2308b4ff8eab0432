package dev.outpost.core.api;

/** {@code POST /v1/apps}. */
public record CreateAppRequest(String name, String primaryRegion) {}
