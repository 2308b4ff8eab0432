/**
 * Apps' ports outside the shared HTTP/HTTPS listeners: raw TCP, {@code tls} and {@code proxy_proto}
 * handler chains, each served on the app's dedicated address ({@link dev.outpost.core.api.DedicatedBlock}
 * plus the app's offset from the routing table) and the port's own number.
 *
 * <p>Start with {@link dev.outpost.proxy.tcp.TcpListeners}: it binds and unbinds one listener per
 * {@link dev.outpost.proxy.tcp.TcpService} as routing tables arrive. Each accepted connection gets a
 * {@link dev.outpost.proxy.tcp.TcpConnection}, which picks an instance with the edge's balancer, connects
 * (retrying another instance when a connect fails), writes the {@link dev.outpost.proxy.tcp.ProxyProtocolHeader}
 * when the chain asks for it, then relays bytes both ways with {@code RawRelay}'s backpressure.
 */
package dev.outpost.proxy.tcp;
