/**
 * The HTTP/1.1 data plane on Netty. {@link dev.outpost.proxy.http.EdgeInitializer} composes each
 * user connection's pipeline: {@link dev.outpost.proxy.http.EdgeCodec} (codec plus the smuggling,
 * size and slowloris checks of {@link dev.outpost.proxy.http.ProxyLimits}), one-message-per-read flow
 * control, {@link dev.outpost.proxy.http.ForwardedHeadersHandler} (request headers the instance may
 * trust, placement headers taken off), then {@link dev.outpost.proxy.http.HttpProxyHandler}, which
 * routes each request, queues it at capacity, takes a connection from the
 * {@link dev.outpost.proxy.http.UpstreamPool} on the same event loop, streams both bodies with
 * backpressure, and acts on {@code Outpost-Replay}. Start reading at {@code HttpProxyHandler}.
 */
package dev.outpost.proxy.http;
