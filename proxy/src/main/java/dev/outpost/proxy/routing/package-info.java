/**
 * Where a request goes: the immutable {@link dev.outpost.proxy.routing.RoutingTable} snapshot
 * (apps → instances grouped by region, nearest region first), the
 * {@link dev.outpost.proxy.routing.Balancer} that picks one {@link dev.outpost.proxy.routing.Upstream}
 * from it (DESIGN §6), and {@link dev.outpost.proxy.routing.AppHost}, which reads the app name out
 * of a {@code Host} header. Nothing here does I/O; start with {@code RoutingTable.from}.
 */
package dev.outpost.proxy.routing;
