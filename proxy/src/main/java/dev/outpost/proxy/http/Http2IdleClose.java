package dev.outpost.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Closes an HTTP/2 connection the {@code idle} handler reports unused, when no stream is open (the
 * codec sends GOAWAY as it closes). The HTTP/1.1 chain does the same in its proxy handler; on HTTP/2
 * that handler lives on the streams, which never see the connection's idle events.
 */
final class Http2IdleClose extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;

    Http2IdleClose(Http2FrameCodec codec) {
        this.codec = codec;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
