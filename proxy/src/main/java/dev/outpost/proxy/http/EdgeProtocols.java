package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;

/**
 * The HTTP handlers of a user connection once its protocol is known: HTTP/1.1 ({@link EdgeCodec}
 * and the proxy chain on the connection), or HTTP/2 (frame codec and multiplexer on the connection,
 * and on every stream a child channel running the same proxy chain behind
 * {@link Http2StreamFrameToHttpObjectCodec}) — so routing, headers, limits and streaming are one code
 * path whatever the client speaks. Instances are spoken to in HTTP/1.1, or in HTTP/2 for apps with
 * {@code h2_backend} ({@link H2UpstreamPool}).
 *
 * @param scheme {@code http} or {@code https}: what {@code X-Forwarded-Proto} says
 */
record EdgeProtocols(EdgeContext edge, String scheme) {
    /** Concurrent streams one HTTP/2 connection may open (nginx's and HAProxy's default is 100 too). */
    static final int MAX_CONCURRENT_STREAMS = 100;
    private static final AsciiString REQUEST_ID = AsciiString.cached(ErrorResponse.REQUEST_ID.toLowerCase(java.util.Locale.ROOT));
    /** HPACK: never index the request id, which is new on every request (RFC 7541 §7.1.3). */
    static final Http2HeadersEncoder.SensitivityDetector UNIQUE_PER_REQUEST =
            (name, value) -> REQUEST_ID.contentEqualsIgnoreCase(name);

    /**
     * Adds the HTTP/1.1 chain after {@code ctx} and tells it the connection is active (it was
     * already when the protocol was decided), so it starts reading and arms its head timeout.
     */
    void http1(ChannelHandlerContext ctx) {
        ProxyLimits limits = edge.limits();
        if ("http".equals(scheme)) {
            // A user's EOF after its request is a half-close to answer, not a reason to drop the request
            // (HttpProxyHandler#userEventTriggered). Not under TLS, whose close_notify ends the session.
            ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        ctx.pipeline().addAfter(ctx.name(), "proxy", new HttpProxyHandler(edge));
        ctx.pipeline().addAfter(ctx.name(), "forwarded", new ForwardedHeadersHandler(edge.region(), scheme));
        ctx.pipeline().addAfter(ctx.name(), "flow", new FlowControlHandler());
        ctx.pipeline().addAfter(ctx.name(), "http", new EdgeCodec(limits.maxRequestLineLength(), limits.maxHeaderSize(),
                limits.maxHeaderCount(), limits.headTimeout(), () -> edge.metrics().rejected("head_timeout")));
        ctx.fireChannelActive();
    }

    /**
     * Adds the HTTP/2 codec and multiplexer after {@code ctx}. The connection then reads freely:
     * backpressure is HTTP/2's flow control, per stream (a child channel reads — and so opens its
     * window — only when its upstream can take more) and per connection.
     */
    void http2(ChannelHandlerContext ctx) {
        ProxyLimits limits = edge.limits();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(limits.maxHeaderSize())
                        // RFC 8441: WebSocket over an HTTP/2 stream (ExtendedConnect).
                        .connectProtocolEnabled(true))
                .validateHeaders(true)
                // Request ids are unique per request: indexing them in HPACK only churns the table.
                .headerSensitivityDetector(UNIQUE_PER_REQUEST)
                .build();
        // The multiplexer finds the codec when it is added: the codec goes in first.
        ctx.pipeline().addAfter(ctx.name(), "h2", codec);
        // Many streams answer in one read: one flush per read batch instead of a syscall per frame.
        ctx.pipeline().addBefore("h2", "h2-flush", new FlushConsolidationHandler(256, true));
        ctx.pipeline().addAfter("h2", "h2-streams", new Http2MultiplexHandler(new StreamInitializer()));
        ctx.pipeline().addAfter("h2-streams", "h2-idle", new Http2IdleClose(codec));
        ctx.channel().config().setAutoRead(true);
        ctx.fireChannelActive();
    }

    /** The chain of one HTTP/2 stream: the request as HTTP/1.1 objects into the usual proxy handlers. */
    private final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.config().setOption(ChannelOption.AUTO_READ, false);
            ch.pipeline()
                    .addLast("h2-connect", new ExtendedConnect())
                    .addLast("http", new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast("h2-ext", Http2RequestAdapter.INSTANCE)
                    .addLast("flow", new FlowControlHandler())
                    .addLast("forwarded", new ForwardedHeadersHandler(edge.region(), scheme))
                    .addLast("proxy", new HttpProxyHandler(edge));
        }
    }

    /** The stream channels of an HTTP/2 connection are children; the proxy handler of a plain connection is on it. */
    static boolean isHttp2(Channel connection) {
        return connection.pipeline().get(Http2FrameCodec.class) != null;
    }
}
