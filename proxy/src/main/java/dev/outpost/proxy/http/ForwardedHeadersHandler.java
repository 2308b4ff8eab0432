package dev.outpost.proxy.http;

import dev.outpost.core.Ids;
import dev.outpost.proxy.routing.Placement;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Rewrites each request head for the instance (DESIGN §5): drops hop-by-hop headers and every
 * client-sent copy of the headers the proxy vouches for, then sets them from what the proxy saw
 * ({@code Outpost-Client-IP}, {@code Outpost-Region}, {@code Outpost-Request-Id},
 * {@code X-Forwarded-*}, {@code Via}; {@link ForwardingHeaders}, which the encoder to the instance
 * writes), and takes the placement headers ({@code Outpost-Prefer-Region},
 * {@code Outpost-Force-Region}, {@code Outpost-Force-Instance}) off for the balancer. Emits a
 * {@link ForwardedRequest}; bodies pass untouched.
 *
 * <p>{@code CDN-Loop} (RFC 8586) is the one forwarding header whose client-sent entries are kept: the
 * edge counts its own id ({@value #CDN_ID}) in it, hands the count on ({@link ForwardedRequest#passes()}),
 * and appends its id to what the instance sees. An app that forwards requests to its own address, or
 * two apps that forward to each other, then end in a 508 after {@value #MAX_PASSES} passes instead of
 * filling every instance up to its hard limit, provided the apps pass the header on, as nginx, Caddy
 * and most proxies do by default.
 */
public final class ForwardedHeadersHandler extends ChannelInboundHandlerAdapter {
    public static final String CLIENT_IP = "Outpost-Client-IP";
    public static final String REGION = "Outpost-Region";
    public static final String REQUEST_ID = ErrorResponse.REQUEST_ID;
    public static final String VIA_VALUE = "1.1 outpost";
    public static final String X_FORWARDED_FOR = "X-Forwarded-For";
    public static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    public static final String X_FORWARDED_PORT = "X-Forwarded-Port";
    public static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    public static final String PREFER_REGION = "Outpost-Prefer-Region";
    public static final String FORCE_REGION = "Outpost-Force-Region";
    public static final String FORCE_INSTANCE = "Outpost-Force-Instance";
    public static final String CDN_LOOP = "CDN-Loop";
    /** This platform's cdn-id in {@code CDN-Loop} (RFC 8586): a pseudonym, shared by every Outpost edge. */
    public static final String CDN_ID = "outpost";
    /**
     * How many times a request may already have passed Outpost's edges ({@value #CDN_ID} entries in
     * its {@code CDN-Loop}) and still be served: enough for chains of apps that call each other
     * through the edge, far fewer than an instance's hard limit, which a loop would otherwise fill.
     */
    public static final int MAX_PASSES = 5;

    /** Headers only the proxy may set; a client's copy would let it impersonate another address or edge. */
    private static final List<AsciiString> UNTRUSTED = Stream.of(
            CLIENT_IP, REGION, REQUEST_ID,
            X_FORWARDED_FOR, X_FORWARDED_PROTO,
            X_FORWARDED_PORT, X_FORWARDED_HOST,
            "Forwarded", "Via").map(AsciiString::cached).toList();
    // The names as AsciiString, which keeps its case-insensitive hash: a String name is hashed
    // character by character on every get, set and remove, a third of the edge's time per request (JFR, bench/proxy).
    private static final AsciiString PREFER_REGION_NAME = AsciiString.cached(PREFER_REGION);
    private static final AsciiString FORCE_REGION_NAME = AsciiString.cached(FORCE_REGION);
    private static final AsciiString FORCE_INSTANCE_NAME = AsciiString.cached(FORCE_INSTANCE);
    private static final AsciiString CDN_LOOP_NAME = AsciiString.cached(CDN_LOOP);

    private final String region;
    private final String scheme;
    /** The connection's part of the forwarding headers, made on its first request: it does not change after. */
    private ForwardingHeaders.Connection connection;

    public ForwardedHeadersHandler(String region) {
        this(region, "http");
    }

    /** @param scheme what the client connected with, {@code http} or {@code https} ({@code X-Forwarded-Proto}) */
    public ForwardedHeadersHandler(String region, String scheme) {
        this.region = region;
        this.scheme = scheme;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String requestId = Ids.requestId(20);
        if (request.decoderResult().isSuccess()) {
            RequestRejectedException refused = RequestTarget.normalize(request);
            if (refused != null) {
                request.setDecoderResult(DecoderResult.failure(refused));
            }
        }
        HttpVersion clientVersion = request.protocolVersion();
        if (request.decoderResult().isFailure()) {
            ctx.fireChannelRead(new ForwardedRequest(request, clientVersion, false, requestId, Placement.ANY, 0));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null) {
            // No Host (HTTP/1.0): the TLS server name, when there was one, says where the request goes.
            host = SniHostHandler.of(ctx.channel());
            if (host != null) {
                headers.set(HttpHeaderNames.HOST, host);
            }
        }
        String upgrade = upgrade(headers, clientVersion);
        HopByHopHeaders.strip(headers);
        if (clientVersion == HttpVersion.HTTP_1_0) {
            // RFC 9110 §10.1.1: an HTTP/1.0 request's 100-continue is ignored; the instance, asked in HTTP/1.1, would honour it.
            headers.remove(HttpHeaderNames.EXPECT);
        }
        if (upgrade != null) {
            // The one hop-by-hop header that must cross: the instance decides whether to switch (101) and the edge then relays bytes.
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgrade);
        }
        Placement placement = placement(headers);
        // Kept, not replaced: the entries before this edge's are what makes a loop visible.
        String cdnLoop = null;
        int passes = 0;
        if (headers.contains(CDN_LOOP_NAME)) {
            cdnLoop = String.join(", ", headers.getAll(CDN_LOOP_NAME));
            passes = passes(cdnLoop);
            headers.remove(CDN_LOOP_NAME);
        }
        for (AsciiString name : UNTRUSTED) {
            headers.remove(name);
        }
        if (connection == null) {
            connection = new ForwardingHeaders.Connection(ip(ctx.channel().remoteAddress()), region, scheme,
                    port(ctx.channel().localAddress()));
        }
        // Instances always see HTTP/1.1 so upstream connections can be kept alive whatever the client spoke.
        HttpRequest forward = new ForwardingHeaders.Request(request.method(), request.uri(), headers,
                new ForwardingHeaders(connection, requestId, host, cdnLoop));
        ctx.fireChannelRead(new ForwardedRequest(forward, clientVersion, keepAlive, requestId, placement, passes));
    }

    /**
     * How many entries of a {@code CDN-Loop} value (RFC 8586: {@code cdn-id *( ";" parameter )}, comma-separated)
     * name {@value #CDN_ID}, in any case, parameters ignored.
     */
    static int passes(String cdnLoop) {
        int passes = 0;
        for (String entry : cdnLoop.split(",")) {
            int semicolon = entry.indexOf(';');
            if ((semicolon < 0 ? entry : entry.substring(0, semicolon)).trim().equalsIgnoreCase(CDN_ID)) {
                passes++;
            }
        }
        return passes;
    }

    /**
     * The protocol an HTTP/1.1 request asks to switch to ({@code Upgrade} named by {@code Connection}), else null.
     * {@code h2c} is never passed on: that upgrade is gone from HTTP/2 (RFC 9113 §3.1), the edge speaks h2c by prior
     * knowledge itself, and an instance that took it would carry the user's streams past the edge; its
     * {@code HTTP2-Settings}, a hop-by-hop header, is dropped with the rest.
     */
    static String upgrade(HttpHeaders headers, HttpVersion version) {
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || upgrade.isBlank() || !HttpVersion.HTTP_1_1.equals(version)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return null;
        }
        // Usually one protocol; in a list ("h2c, websocket") the others still ask.
        StringBuilder asked = new StringBuilder();
        for (String protocol : upgrade.split(",")) {
            String name = protocol.trim();
            if (!name.isEmpty() && !name.equalsIgnoreCase("h2c")) {
                asked.append(asked.isEmpty() ? "" : ", ").append(name);
            }
        }
        return asked.isEmpty() ? null : asked.toString();
    }

    /**
     * Reads and removes the placement headers (DESIGN §5): they are addressed to the edge, not the
     * app. A forced instance wins over a forced region, which wins over a preferred one.
     */
    static Placement placement(HttpHeaders headers) {
        String instance = headers.get(FORCE_INSTANCE_NAME);
        String force = headers.get(FORCE_REGION_NAME);
        String prefer = headers.get(PREFER_REGION_NAME);
        headers.remove(FORCE_INSTANCE_NAME).remove(FORCE_REGION_NAME).remove(PREFER_REGION_NAME);
        if (instance != null && !instance.isBlank()) {
            return Placement.forceInstance(instance.trim());
        }
        if (force != null && !force.isBlank()) {
            return Placement.forceRegion(force.trim().toLowerCase(Locale.ROOT));
        }
        if (prefer != null && !prefer.isBlank()) {
            return Placement.preferRegion(prefer.trim().toLowerCase(Locale.ROOT));
        }
        return Placement.ANY;
    }

    private static String ip(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "unknown";
    }

    private static String port(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? Integer.toString(inet.getPort()) : "unknown";
    }
}
