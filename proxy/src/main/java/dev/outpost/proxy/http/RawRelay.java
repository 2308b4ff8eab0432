package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a connection that left HTTP (an accepted {@code Upgrade}, e.g. WebSocket), or of a raw
 * TCP connection on a dedicated address ({@code dev.outpost.proxy.tcp}): bytes
 * read here are written to {@code peer} as they come, and the next read waits until that write is
 * done — so a slow side slows the other instead of filling memory. Either side closing closes the
 * other once what was written is flushed.
 *
 * <p>Half-close, where both channels allow it ({@link io.netty.channel.ChannelOption#ALLOW_HALF_CLOSURE},
 * raw TCP ports): a side that shuts its write side (EOF) has the other side's output shut once what was
 * written before is flushed, and may still read what the other side sends; a channel is closed once both of
 * its directions are shut.
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
        read(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            // The end of the 101 response as the HTTP decoder delivered it: nothing to relay.
            ReferenceCountUtil.release(msg);
            read(ctx);
            return;
        }
        if (!peer.isActive()) {
            bytes.release();
            ctx.close();
            return;
        }
        peer.writeAndFlush(bytes).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                read(ctx);
            } else {
                LOG.debug("relay from {} to {} failed: {}", ctx.channel(), peer, f.cause().toString());
                ctx.close();
            }
        });
    }

    /** Asks for more bytes, unless this side already sent its EOF (epoll fails a read on a shut input). */
    private static void read(ChannelHandlerContext ctx) {
        if (!(ctx.channel() instanceof DuplexChannel duplex) || !duplex.isInputShutdown()) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            if (!(peer instanceof DuplexChannel duplex)) {
                closeOnFlush(peer);
                return;
            }
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess() || !duplex.isActive()) {
                    self.close();
                    return;
                }
                duplex.shutdownOutput().addListener((ChannelFutureListener) shut -> {
                    if (!shut.isSuccess() || duplex.isShutdown()) {
                        duplex.close();
                    }
                });
            });
            if (self instanceof DuplexChannel selfDuplex && selfDuplex.isShutdown()) {
                self.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
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
