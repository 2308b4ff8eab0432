package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;

/**
 * Completes when an upstream HTTP/2 connection received the instance's first SETTINGS: only then is
 * its {@code SETTINGS_MAX_CONCURRENT_STREAMS} known. Streams opened before could exceed it; a server
 * refuses those and, as Netty's and grpc-java's do, may take the refused stream's DATA for a
 * protocol error that ends the whole connection. Fails when the connection closes first.
 */
final class H2UpstreamReady extends ChannelInboundHandlerAdapter {
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
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!ready.isDone()) {
            ready.tryFailure(new ClosedChannelException());
        }
        super.channelInactive(ctx);
    }
}
