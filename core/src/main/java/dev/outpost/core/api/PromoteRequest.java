package dev.outpost.core.api;

/**
 * {@code POST /v1/apps/{app}/promote}: the app (usually {@code <app>-staging}) whose serving
 * release's artifact becomes the target app's next release, as is.
 */
public record PromoteRequest(String from) {}
