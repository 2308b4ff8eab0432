/**
 * The CLI's client of the server's {@code /v1} API and {@code /v2} blob registry.
 * {@link dev.outpost.cli.api.ApiClient} speaks the wire records of {@code dev.outpost.core.api}
 * over {@code java.net.http}; every failure, from a refused connection to a {@code problem+json}
 * answer, arrives as an {@link dev.outpost.cli.api.ApiException}.
 */
package dev.outpost.cli.api;
