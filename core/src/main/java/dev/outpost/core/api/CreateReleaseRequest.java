package dev.outpost.core.api;

import dev.outpost.core.config.AppConfig;

/** {@code POST /v1/apps/{app}/releases}: the artifact (already in the registry) and the config to run it with. */
public record CreateReleaseRequest(String artifactDigest, AppConfig config) {}
