package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.routing.WaitQueues;
import dev.outpost.proxy.telemetry.AccessLog;
import dev.outpost.proxy.telemetry.ProxyMetrics;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every user connection of one edge shares, wired once by {@code EdgeProxy}.
 *
 * @param region   the edge's region ({@code Outpost-Region}, local-vs-remote routing decisions)
 * @param routes   the current routing snapshot, read once per request
 * @param draining true once the proxy is shutting down: answers then close their connection
 * @param queues   the per-app queues of requests waiting for capacity
 */
public record EdgeContext(String region, Supplier<RoutingTable> routes, Balancer balancer, UpstreamPool pool,
                          BooleanSupplier draining, WaitQueues queues, ProxyLimits limits, ProxyMetrics metrics,
                          AccessLog accessLog) {

    /** Defaults for tests and tools: default limits, fresh metrics, the access log. */
    public static EdgeContext of(String region, Supplier<RoutingTable> routes, UpstreamPool pool, BooleanSupplier draining) {
        ProxyLimits limits = ProxyLimits.defaults();
        return new EdgeContext(region, routes, new Balancer(), pool, draining, new WaitQueues(limits.queueLength()), limits,
                new ProxyMetrics(region), new AccessLog());
    }
}
