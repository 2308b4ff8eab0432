package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a connection that left HTTP (an accepted {@code Upgrade}, e.g. WebSocket), or of a raw
 * TCP connection on a dedicated address ({@code dev.outpost.proxy.tcp}): bytes
 * read here are written to {@code peer} as they come, and the next read waits until that write is
 * done — so a slow side slows the other instead of filling memory. Either side closing closes the
 * other once what was written is flushed.
 */
public final class RawRelay extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RawRelay.class);

    private final Channel peer;

    public RawRelay(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // AUTO_READ is off on both sides: start the flow this way.
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            // The end of the 101 response as the HTTP decoder delivered it: nothing to relay.
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        if (!peer.isActive()) {
            bytes.release();
            ctx.close();
            return;
        }
        peer.writeAndFlush(bytes).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                LOG.debug("relay from {} to {} failed: {}", ctx.channel(), peer, f.cause().toString());
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("relayed connection {} failed, closing it and {}", ctx.channel(), peer, cause);
        closeOnFlush(ctx.channel());
    }

    public static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
