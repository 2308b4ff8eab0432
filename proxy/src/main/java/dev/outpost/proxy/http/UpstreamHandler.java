package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream connection. While an exchange holds the connection it hands
 * every response message to that exchange's {@link Listener}; while the connection sits in the
 * pool it has no listener, and anything arriving (bytes nobody asked for, the idle timeout)
 * closes it, because a connection in an unknown state must never carry the next request.
 */
public final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);

    /** What an exchange does with its upstream connection's events; runs on the connection's event loop. */
    public interface Listener {
        /** A decoded {@link HttpObject}, or a {@link RawResponse} and its {@link RawBody} pieces. */
        void onUpstreamMessage(Object message);

        void onUpstreamReadComplete();

        void onUpstreamWritabilityChanged(boolean writable);

        void onUpstreamInactive();
    }

    private Listener listener;

    /** The handler of {@code channel}'s pipeline. */
    public static UpstreamHandler of(Channel channel) {
        // Last in every upstream pipeline: found without walking it, twice per request.
        return channel.pipeline().last() instanceof UpstreamHandler last ? last : channel.pipeline().get(UpstreamHandler.class);
    }

    /** Gives the connection to an exchange; {@code null} when it goes back to the pool. */
    public void listener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener != null && (msg instanceof HttpObject || msg instanceof RawResponse || msg instanceof RawBody)) {
            listener.onUpstreamMessage(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        LOG.debug("closing upstream connection {}: it sent data while idle", ctx.channel());
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (listener == null) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamInactive();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("upstream connection {} failed, closing it", ctx.channel(), cause);
        ctx.close();
    }
}
