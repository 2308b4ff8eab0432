package dev.outpost.core.api;

import java.time.Instant;

/**
 * One line of an instance's output as {@code GET /v1/apps/{app}/logs} answers it: where it came
 * from, the time the agent read it (not when the app wrote it: apps' own timestamps are free
 * text), and the line without its line break.
 */
public record LogLine(String app, String region, String instanceId, Instant time, String line) {}
