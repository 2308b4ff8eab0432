package dev.outpost.core.api;

import java.util.List;

/**
 * {@code GET /v1/routes?index=N&wait=30s}: every app the edges serve, with its routable instances
 * (started, checks passing, wanted running). Apps with no routable instance are listed with an
 * empty list, so the proxy can tell "no healthy instance" (503) from "no such app" (404).
 */
public record RoutingTable(long index, List<AppRoute> apps) {

    public record AppRoute(String app, int softLimit, int hardLimit, String concurrencyType, List<Target> targets) {}

    /** An instance the proxy may send traffic to. */
    public record Target(String instanceId, String region, String address, int port, int release) {}
}
