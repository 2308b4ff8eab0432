package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes when an upstream HTTP/2 connection received the instance's first SETTINGS: only then is
 * its {@code SETTINGS_MAX_CONCURRENT_STREAMS} known. Streams opened before could exceed it; a server
 * refuses those and, as Netty's and grpc-java's do, may take the refused stream's DATA for a
 * protocol error that ends the whole connection. Fails when the connection closes first. The last
 * handler of the connection: it ends connection-level frames and failures.
 */
final class H2UpstreamReady extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(H2UpstreamReady.class);
    private static final AttributeKey<String> BROKEN = AttributeKey.valueOf(H2UpstreamReady.class, "broken");

    private final Promise<Channel> ready;

    H2UpstreamReady(Promise<Channel> ready) {
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame) {
            ready.trySuccess(ctx.channel());
        }
        // The last handler: connection-level frames (SETTINGS, PING acks, GOAWAY) end here.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codec has already answered a protocol error with GOAWAY; the connection is of no further use.
        LOG.debug("upstream HTTP/2 connection {} failed, closing it", ctx.channel(), cause);
        Http2Exception protocol = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (protocol != null) {
            // Set before the codec closes the streams, which read it for their 502.
            ctx.channel().attr(BROKEN).setIfAbsent("broke HTTP/2 on its connection (" + protocol.getMessage()
                    + "), so the edge closed that connection");
        }
        ctx.close();
    }

    /** Why the edge closed {@code connection} to an instance for a protocol error (a response head past the limit), or null. */
    static String brokenWhy(Channel connection) {
        return connection.attr(BROKEN).get();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ready.tryFailure(new H2UpstreamException("it closed the connection before sending HTTP/2 SETTINGS; "
                + H2UpstreamPool.SPEAK_H2C));
        super.channelInactive(ctx);
    }
}
