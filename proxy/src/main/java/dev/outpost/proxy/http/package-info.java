/**
 * The HTTP/1.1 data plane on Netty. {@link dev.outpost.proxy.http.EdgeInitializer} composes each
 * user connection's pipeline: codec, one-message-per-read flow control,
 * {@link dev.outpost.proxy.http.ForwardedHeadersHandler} (request headers the instance may trust),
 * then {@link dev.outpost.proxy.http.HttpProxyHandler}, which routes each request, takes a
 * connection from the {@link dev.outpost.proxy.http.UpstreamPool} on the same event loop and
 * streams both bodies with backpressure. Start reading at {@code HttpProxyHandler}.
 */
package dev.outpost.proxy.http;
