package dev.outpost.core.api;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import java.util.Map;

/**
 * One instance an agent must run (or stop, or destroy). {@code env} already holds the app's
 * {@code [env]} and the {@code OUTPOST_*} variables the server knows; the agent adds {@code PORT}
 * and {@code OUTPOST_PRIVATE_IP}. {@code config} gives the command, services and checks.
 */
public record Assignment(String instanceId, String app, int release, String region, String artifactDigest,
                         AppConfig config, Map<String, String> env, DesiredState desired) {}
