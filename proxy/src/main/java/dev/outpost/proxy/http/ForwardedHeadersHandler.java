package dev.outpost.proxy.http;

import dev.outpost.core.Ids;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Rewrites each request head for the instance (DESIGN §5): drops hop-by-hop headers and every
 * client-sent copy of the headers the proxy vouches for, then sets them from what the proxy saw
 * ({@code Outpost-Client-IP}, {@code Outpost-Region}, {@code Outpost-Request-Id},
 * {@code X-Forwarded-*}, {@code Via}). Emits a {@link ForwardedRequest}; bodies pass untouched.
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

    /** Headers only the proxy may set; a client's copy would let it impersonate another address or edge. */
    private static final List<CharSequence> UNTRUSTED = List.of(
            CLIENT_IP, REGION, REQUEST_ID,
            X_FORWARDED_FOR, X_FORWARDED_PROTO,
            X_FORWARDED_PORT, X_FORWARDED_HOST,
            "Forwarded", HttpHeaderNames.VIA);

    private final String region;

    public ForwardedHeadersHandler(String region) {
        this.region = region;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String requestId = Ids.random(20);
        HttpVersion clientVersion = request.protocolVersion();
        if (request.decoderResult().isFailure()) {
            ctx.fireChannelRead(new ForwardedRequest(request, clientVersion, false, requestId));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        HopByHopHeaders.strip(headers);
        for (CharSequence name : UNTRUSTED) {
            headers.remove(name);
        }
        String clientIp = ip(ctx.channel().remoteAddress());
        headers.set(CLIENT_IP, clientIp)
                .set(REGION, region)
                .set(REQUEST_ID, requestId)
                .set(X_FORWARDED_FOR, clientIp)
                .set(X_FORWARDED_PROTO, "http")
                .set(X_FORWARDED_PORT, port(ctx.channel().localAddress()))
                .set(HttpHeaderNames.VIA, VIA_VALUE);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        // Instances always see HTTP/1.1 so upstream connections can be kept alive whatever the client spoke.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        ctx.fireChannelRead(new ForwardedRequest(request, clientVersion, keepAlive, requestId));
    }

    private static String ip(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "unknown";
    }

    private static String port(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? Integer.toString(inet.getPort()) : "unknown";
    }
}
