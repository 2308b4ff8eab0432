package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * WebSocket (and any protocol) over HTTP/2 by extended CONNECT (RFC 8441), on the user's side. The
 * edge announces {@code SETTINGS_ENABLE_CONNECT_PROTOCOL = 1}; a stream opening with
 * {@code :method CONNECT} and {@code :protocol websocket} becomes, in place of Netty's conversion to
 * HTTP/1.1 objects, the HTTP/1.1 {@code Upgrade} request an instance understands ({@code GET}
 * with {@code Upgrade}, {@code Connection: Upgrade}, and a fresh {@code Sec-WebSocket-Key}, which
 * RFC 8441 clients do not send). When the instance answers {@code 101}, {@link HttpProxyHandler} calls
 * {@link #tunnel}: the user gets {@code 200}, and from then on the stream's DATA frames carry the
 * bytes both ways ({@link RawRelay} on each side, this handler framing and unframing DATA).
 */
final class ExtendedConnect extends ChannelDuplexHandler {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Response headers of the HTTP/1.1 handshake that mean nothing on HTTP/2 (RFC 8441 §5). */
    private static final List<CharSequence> HANDSHAKE_ONLY = List.of(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);

    private boolean requested;
    private boolean tunnelling;

    /** The stream's handler when it asked for an extended CONNECT, else null. */
    static ExtendedConnect requestedOn(Channel stream) {
        ExtendedConnect connect = stream.pipeline().get(ExtendedConnect.class);
        return connect != null && connect.requested ? connect : null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (tunnelling && msg instanceof Http2DataFrame data) {
            // The relay takes bytes; the end of the user's side ends the tunnel once they are relayed.
            ByteBuf bytes = data.content();
            ctx.fireChannelRead(bytes);
            if (data.isEndStream()) {
                RawRelay.closeOnFlush(ctx.channel());
            }
            return;
        }
        if (!tunnelling && msg instanceof Http2HeadersFrame frame && isExtendedConnect(frame.headers())) {
            requested = true;
            // Built here, not by the conversion behind: it drops :protocol, the path of a CONNECT and the Connection header.
            ctx.fireChannelRead(asUpgrade(frame.headers()));
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (tunnelling && msg instanceof ByteBuf bytes) {
            ctx.write(new DefaultHttp2DataFrame(bytes), promise);
            return;
        }
        super.write(ctx, msg, promise);
    }

    /**
     * The instance switched protocols: answers the user {@code 200} with the instance's headers (minus
     * the HTTP/1.1 handshake's), then turns both sides into a byte relay. {@code ctx} is the proxy
     * handler's on the user's stream, {@code instance} the upstream connection, no longer an exchange's.
     */
    void tunnel(ChannelHandlerContext ctx, Channel instance, HttpResponse switched) {
        HttpResponse ok = new DefaultHttpResponse(switched.protocolVersion(), HttpResponseStatus.OK, switched.headers());
        HopByHopHeaders.strip(ok.headers());
        for (CharSequence name : HANDSHAKE_ONLY) {
            ok.headers().remove(name);
        }
        // Encoded into a HEADERS frame as it is written, while the conversion is still in the pipeline.
        ctx.writeAndFlush(ok);
        tunnelling = true;
        ChannelPipeline user = ctx.pipeline();
        ChannelPipeline upstream = instance.pipeline();
        UpstreamCodec instanceCodec = upstream.get(UpstreamCodec.class);
        instanceCodec.removeOutboundHandler();
        upstream.replace(UpstreamHandler.class, "relay", new RawRelay(ctx.channel()));
        user.replace(ctx.handler(), "relay", new RawRelay(instance));
        for (String name : List.of("flow", "forwarded", "h2-ext")) {
            if (user.get(name) != null) {
                user.remove(name);
            }
        }
        if (upstream.get("idle") != null) {
            upstream.remove("idle");
        }
        upstream.remove(instanceCodec);
        user.remove(Http2StreamFrameToHttpObjectCodec.class);
    }

    private static boolean isExtendedConnect(Http2Headers headers) {
        return headers.method() != null && HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(headers.method())
                && headers.get(Http2Headers.PseudoHeaderName.PROTOCOL.value()) != null;
    }

    /** The HTTP/1.1 upgrade request the CONNECT stands for (RFC 8441 §5): a head with no body. */
    private static HttpRequest asUpgrade(Http2Headers headers) {
        CharSequence protocol = headers.get(Http2Headers.PseudoHeaderName.PROTOCOL.value());
        CharSequence path = headers.path();
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path == null ? "/" : path.toString());
        HttpHeaders out = request.headers();
        if (headers.authority() != null) {
            out.set(HttpHeaderNames.HOST, headers.authority());
        }
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            if (!Http2Headers.PseudoHeaderName.hasPseudoHeaderFormat(header.getKey())) {
                out.add(header.getKey(), header.getValue());
            }
        }
        out.set(HttpHeaderNames.UPGRADE, protocol)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        if (HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(protocol) && !out.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            out.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, Base64.getEncoder().encodeToString(key));
        }
        return request;
    }
}
