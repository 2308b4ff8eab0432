/**
 * How the proxy learns from the server and from its peers. {@link dev.outpost.proxy.control.RouteWatcher}
 * long-polls {@code GET /v1/routes} (a blocking query) and hands every new table to a consumer,
 * usually {@code EdgeProxy::update}; when the server is down it keeps retrying with backoff and
 * the proxy keeps routing on the last table (static stability).
 *
 * <p>{@link dev.outpost.proxy.control.PeerProbing} is where to start for distances: the edge serves
 * {@code GET /probe} ({@link dev.outpost.proxy.control.ProbeListener}), registers itself and learns
 * its peers ({@link dev.outpost.proxy.control.EdgeHeartbeat}, {@code /v1/edges}), probes every peer in
 * another region every 2 s ({@link dev.outpost.proxy.control.PeerProber}, an EWMA per peer in
 * {@link dev.outpost.proxy.control.PeerRtt}) and orders remote regions by what it measured
 * ({@link dev.outpost.proxy.control.MeasuredRtt}), never by a table it was given.
 */
package dev.outpost.proxy.control;
