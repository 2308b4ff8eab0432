/**
 * What the edge tells operators: {@link dev.outpost.proxy.telemetry.ProxyMetrics} (Micrometer meters,
 * scraped in Prometheus format by the admin listener) and {@link dev.outpost.proxy.telemetry.AccessLog}
 * (one JSON line per request on the SLF4J logger {@code dev.outpost.proxy.access}). The HTTP handlers
 * record into both; nothing here does network I/O.
 */
package dev.outpost.proxy.telemetry;
