package dev.outpost.core.model;

import dev.outpost.core.config.AppConfig;
import java.time.Instant;

/**
 * Version {@code version} of an app: an artifact digest plus the config it runs with. Immutable but
 * for its deploy {@code status}; {@code failure} says why a deploy failed.
 */
public record Release(String app, int version, String artifactDigest, AppConfig config, ReleaseStatus status,
                      String message, DeployFailure failure, Instant createdAt, Instant deadline) {

    public Release withStatus(ReleaseStatus newStatus, String newMessage, DeployFailure newFailure) {
        return new Release(app, version, artifactDigest, config, newStatus, newMessage, newFailure, createdAt, deadline);
    }
}
