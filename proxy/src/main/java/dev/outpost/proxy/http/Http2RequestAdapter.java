package dev.outpost.proxy.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Makes an HTTP/2 stream's request look exactly like one decoded from HTTP/1.1, so the proxy chain
 * has one input shape: a request that ended with its HEADERS frame (Netty's conversion gives a
 * {@code FullHttpRequest}) becomes a head and a {@code LastHttpContent}, as the HTTP/1.1 decoder
 * emits them; and the {@code x-http2-*} headers the conversion adds (stream id, scheme, ...) — or a
 * client sent — are removed: they describe the edge's hop, not the request.
 */
@ChannelHandler.Sharable
final class Http2RequestAdapter extends ChannelInboundHandlerAdapter {
    static final Http2RequestAdapter INSTANCE = new Http2RequestAdapter();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                request.headers().remove(name.text());
            }
            String path = request.uri();
            if (!path.startsWith("/") && !HttpMethod.CONNECT.equals(request.method())
                    && !(path.equals("*") && HttpMethod.OPTIONS.equals(request.method()))) {
                // HTTP/2 names the host in :authority alone (RFC 9113 §8.3.1): an absolute :path would be a second one.
                request.setDecoderResult(DecoderResult.failure(new RequestRejectedException(HttpResponseStatus.BAD_REQUEST,
                        "malformed request: the :path '" + RequestTarget.abbreviate(path) + "' is not a path starting with '/'")));
            }
        }
        if (msg instanceof FullHttpRequest full) {
            HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            head.setDecoderResult(full.decoderResult());
            // The content buffer moves into the last content, which the proxy handler releases.
            DefaultLastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(last);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
