/**
 * The HTTP/1.1 data plane on Netty. {@link dev.outpost.proxy.http.EdgeInitializer} composes each
 * user connection's pipeline: {@link dev.outpost.proxy.http.EdgeCodec} (codec plus the smuggling,
 * size and slowloris checks of {@link dev.outpost.proxy.http.ProxyLimits}), one-message-per-read flow
 * control, {@link dev.outpost.proxy.http.ForwardedHeadersHandler} (request headers the instance may
 * trust, placement headers taken off), then {@link dev.outpost.proxy.http.HttpProxyHandler}, which
 * routes each request, queues it at capacity, takes a connection from the
 * {@link dev.outpost.proxy.http.UpstreamPool} on the same event loop, streams both bodies with
 * backpressure, and acts on {@code Outpost-Replay}. Start reading at {@code HttpProxyHandler}.
 *
 * <p>HTTP/2 users ({@link dev.outpost.proxy.http.EdgeProtocols}) run the same chain per stream;
 * {@link dev.outpost.proxy.http.ExtendedConnect} turns their WebSocket streams (RFC 8441) into
 * HTTP/1.1 upgrades. Apps with {@code h2_backend} are spoken to in HTTP/2: each request is a stream
 * from the {@link dev.outpost.proxy.http.H2UpstreamPool}, made to look like an HTTP/1.1 connection
 * by {@link dev.outpost.proxy.http.H2UpstreamAdapter}.
 */
package dev.outpost.proxy.http;
