/**
 * The contract between the server and its callers (CLI, agents, proxies): request and response
 * records of the {@code /v1} API, serialized with {@link dev.outpost.core.Json}. The endpoints are
 * listed in {@code docs/architecture.md}; {@link dev.outpost.core.api.Problem} is every error body.
 */
package dev.outpost.core.api;
