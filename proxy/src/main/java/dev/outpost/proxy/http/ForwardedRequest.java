package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.Placement;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A request head as {@link ForwardedHeadersHandler} hands it on: rewritten for the instance, plus
 * what the rewrite removed but the proxy still needs to answer the client.
 *
 * @param request       the head to send upstream (HTTP/1.1, hop-by-hop headers gone, forwarding headers set),
 *                      or the decoder's failed head, untouched
 * @param clientVersion the protocol version the client spoke
 * @param keepAlive     whether the client asked to keep the connection open after the response
 * @param requestId     the {@code Outpost-Request-Id} given to this request
 * @param placement     where the client asked the request to be served ({@code Outpost-Force-*}, {@code Outpost-Prefer-Region})
 * @param passes        how many times the request already passed Outpost's edges (the edge's id in its {@code CDN-Loop})
 */
public record ForwardedRequest(HttpRequest request, HttpVersion clientVersion, boolean keepAlive, String requestId,
                               Placement placement, int passes) {}
