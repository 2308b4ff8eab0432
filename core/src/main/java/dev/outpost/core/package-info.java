/**
 * What every part of Outpost shares: the domain records ({@link dev.outpost.core.model}), the wire
 * types of the {@code /v1} API ({@link dev.outpost.core.api}), {@code outpost.toml} parsing
 * ({@link dev.outpost.core.config}) and the region catalog ({@link dev.outpost.core.region}).
 * Start with {@link dev.outpost.core.config.AppConfig}.
 */
package dev.outpost.core;
