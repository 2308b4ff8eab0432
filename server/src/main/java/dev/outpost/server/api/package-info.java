/**
 * The {@code /v1} HTTP API (Javalin on virtual threads): one class per resource ({@code AppsApi},
 * {@code ReleasesApi}, {@code HostsApi}, {@code RoutesApi}, {@code TokensApi}); errors are
 * {@link dev.outpost.server.api.ApiException}s rendered as problem+json by {@code ErrorMapping}.
 */
package dev.outpost.server.api;
