/**
 * Where a request goes (DESIGN §6): the immutable {@link dev.outpost.proxy.routing.RoutingTable}
 * snapshot (apps → instances grouped by region, local first, then by the {@link dev.outpost.proxy.routing.RttSource}),
 * the {@link dev.outpost.proxy.routing.Balancer} that picks one {@link dev.outpost.proxy.routing.Upstream}
 * from it under the soft and hard limits and a {@link dev.outpost.proxy.routing.Placement}, the
 * per-app {@link dev.outpost.proxy.routing.WaitQueue} of requests waiting for capacity, and
 * {@link dev.outpost.proxy.routing.AppHost}, which reads the app name out of a {@code Host} header.
 * Nothing here does I/O; start with {@code RoutingTable.from}, then {@code Balancer.choose}.
 */
package dev.outpost.proxy.routing;
