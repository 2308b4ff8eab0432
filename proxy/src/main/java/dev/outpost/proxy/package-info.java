/**
 * The edge proxy: accepts user connections in one region and forwards each HTTP request to the
 * nearest healthy instance of the app its {@code Host} names (DESIGN §6).
 *
 * <p>Start reading at {@link dev.outpost.proxy.EdgeProxy}, the entry point {@code main} wires; it
 * binds the listener built in {@link dev.outpost.proxy.http}, routes with the snapshot kept in
 * {@link dev.outpost.proxy.routing}, and is fed routing tables by
 * {@link dev.outpost.proxy.control.RouteWatcher}. Operators see it through
 * {@link dev.outpost.proxy.telemetry} (metrics, access log) and the {@link dev.outpost.proxy.admin} listener.
 */
package dev.outpost.proxy;
