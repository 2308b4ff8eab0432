package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.Autostarts;
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
 * @param queues   the per-app queues of requests waiting for capacity, or for an instance to start
 * @param autostarts the starts of stopped instances this edge asked for, one per app at a time
 */
public record EdgeContext(String region, Supplier<RoutingTable> routes, Balancer balancer, UpstreamPool pool,
                          BooleanSupplier draining, WaitQueues queues, ProxyLimits limits, ProxyMetrics metrics,
                          AccessLog accessLog, Autostarts autostarts) {

    /** Defaults for tests and tools: default limits, fresh metrics, the access log. */
    public static EdgeContext of(String region, Supplier<RoutingTable> routes, UpstreamPool pool, BooleanSupplier draining) {
        return of(region, routes, pool, draining, ProxyLimits.defaults(), Autostarts.NONE);
    }

    /** As {@link #of(String, Supplier, UpstreamPool, BooleanSupplier)}, with these limits and starts sent to {@code starter}. */
    public static EdgeContext of(String region, Supplier<RoutingTable> routes, UpstreamPool pool, BooleanSupplier draining,
                                 ProxyLimits limits, Autostarts.Starter starter) {
        ProxyMetrics metrics = new ProxyMetrics(region);
        return new EdgeContext(region, routes, new Balancer(), pool, draining, new WaitQueues(limits.queueLength()), limits,
                metrics, new AccessLog(), new Autostarts(routes, starter, metrics::autostart, limits.autostartTimeout()));
    }
}
