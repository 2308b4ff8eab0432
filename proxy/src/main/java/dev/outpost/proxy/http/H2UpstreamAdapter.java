package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * Makes an HTTP/2 stream to an instance read and write like an HTTP/1.1 connection, behind Netty's
 * {@code Http2StreamFrameToHttpObjectCodec}, so {@link HttpProxyHandler} has one shape to drive.
 *
 * <p>Requests: connection-specific headers are illegal in HTTP/2 and go (the codec drops them too);
 * {@code TE: trailers} is always sent, as nginx's gRPC proxy does, since the proxy passes trailers on
 * (gRPC servers require it).
 *
 * <p>Responses: the {@code x-http2-*} headers the conversion adds are removed; a response that ended
 * with its HEADERS frame (Netty gives a {@code FullHttpResponse}) becomes a head and a
 * {@code LastHttpContent}, as the HTTP/1.1 decoder emits them. For a gRPC "trailers-only" response
 * (the status in that one HEADERS frame), every field but {@code content-type} moves into the trailers, so
 * a client on HTTP/2 sees headers then trailers and one on HTTP/1.1 gets them as chunked trailers.
 *
 * <p>It also remembers why the instance ended the stream (RST_STREAM, GOAWAY), for the {@code 502}.
 */
final class H2UpstreamAdapter extends ChannelDuplexHandler {
    /** The field that makes a gRPC response's only HEADERS frame its trailers. */
    private static final String GRPC_STATUS = "grpc-status";
    private static final String GRPC_TYPE = "application/grpc";
    private static final List<CharSequence> CONNECTION_SPECIFIC = List.of(
            HttpHeaderNames.CONNECTION, "keep-alive", "proxy-connection", HttpHeaderNames.UPGRADE,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TE);

    private String endedBecause;
    private String refused;

    /**
     * Why the instance ended {@code channel}'s stream, when it is an HTTP/2 stream that was reset, cut by
     * GOAWAY, or on a connection the edge closed for a protocol error; else {@code otherwise}.
     */
    static String closedWhy(Channel channel, String otherwise) {
        H2UpstreamAdapter adapter = channel.pipeline().get(H2UpstreamAdapter.class);
        if (adapter == null) {
            return otherwise;
        }
        if (adapter.endedBecause != null) {
            return adapter.endedBecause;
        }
        // The edge closed the connection for the instance's protocol error (a response head far past the limit is
        // one in Netty's decoder, against HPACK bombs): every stream on it ends, most of them bystanders.
        String broken = channel.parent() == null ? null : H2UpstreamReady.brokenWhy(channel.parent());
        return broken == null ? otherwise : broken;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpRequest request) {
            HttpHeaders headers = request.headers();
            for (CharSequence name : CONNECTION_SPECIFIC) {
                headers.remove(name);
            }
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            ForwardingHeaders forwarding = ForwardingHeaders.of(request);
            if (forwarding != null) {
                // No HTTP/1.1 encoder writes them on this path: HTTP/2 sends them as fields.
                forwarding.setOn(headers);
            }
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpResponse response) {
            for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                response.headers().remove(name.text());
            }
        }
        if (msg instanceof FullHttpResponse full) {
            HttpResponse head = new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
            head.setDecoderResult(full.decoderResult());
            // The content buffer moves into the last content, which the proxy handler writes on or releases.
            LastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
            if (isGrpc(head) && head.headers().contains(GRPC_STATUS)) {
                // Trailers-only: every field but the content type is a trailer (gRPC over HTTP/2, "Trailers-Only").
                for (var field : head.headers()) {
                    if (!HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(field.getKey())) {
                        last.trailingHeaders().add(field.getKey(), field.getValue());
                    }
                }
                last.trailingHeaders().remove(HttpHeaderNames.CONTENT_LENGTH);
                for (String name : List.copyOf(head.headers().names())) {
                    if (!HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(name)) {
                        head.headers().remove(name);
                    }
                }
            }
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(last);
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Http2ResetFrame reset) {
            endedBecause = "reset the stream (RST_STREAM " + name(reset.errorCode()) + ")";
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            endedBecause = "closed the connection (GOAWAY " + name(goAway.errorCode()) + ") before answering this stream";
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) instanceof Http2Exception.HeaderListSizeException) {
            // The codec refused the head and resets the stream: the instance answered, but too much to take.
            refused = "sent response headers larger than " + UpstreamCodec.MAX_HEADER_SIZE / 1024 + " KiB, more than the edge takes";
        }
        super.exceptionCaught(ctx, cause);
    }

    /**
     * Why the edge refused the response on {@code channel}'s stream (its head was too large), or null. Such a
     * stream ends as if the instance had closed it, but the instance did answer: the request is not tried again.
     */
    static String refusedWhy(Channel channel) {
        H2UpstreamAdapter adapter = channel.pipeline().get(H2UpstreamAdapter.class);
        return adapter == null ? null : adapter.refused;
    }

    /** gRPC, and gRPC-Web, by the content type (application/grpc, application/grpc+proto, application/grpc-web...). */
    static boolean isGrpc(HttpMessage message) {
        String type = message.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, GRPC_TYPE, 0, GRPC_TYPE.length());
    }

    private static String name(long code) {
        Http2Error error = Http2Error.valueOf(code);
        return error == null ? "error " + code : error.name();
    }
}
