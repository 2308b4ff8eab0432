package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a user's HTTP/1.1 connection that may still be sending: a request body the edge did not read
 * because the instance answered early (a 413 or 401 before the upload ended) or the edge refused the
 * request. A plain close would make the kernel answer the unread bytes with a reset, and a client
 * that gets the reset before it has read the response loses the response with it (a failed write
 * ends many clients' exchange; some stacks discard what they had received). So, as nginx's
 * {@code lingering_close}: the edge ends its side (TLS {@code close_notify}, then FIN) once the response
 * is out, then reads and discards what still comes until the user closes, is silent for
 * {@link #TIMEOUT}, or {@link #TIME} has passed. Installed first in the pipeline, so nothing read
 * reaches the decoders.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    /** The longest a connection lingers, however steadily the user keeps sending (nginx's lingering_time). */
    static final Duration TIME = Duration.ofSeconds(30);
    /** The longest the user may stay silent while the connection lingers (nginx's lingering_timeout). */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Closes {@code channel} once {@code written} (the response's last write) completes: lingering, where it can. */
    static final ChannelFutureListener AFTER_WRITE = f -> {
        if (f.isSuccess()) {
            start(f.channel());
        } else {
            f.channel().close();
        }
    };

    private long deadline;
    private long lastRead;

    private LingeringClose() {}

    /** Ends the edge's side of {@code channel} and discards what the user still sends; a channel that cannot half-close just closes. */
    static void start(Channel channel) {
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive() || duplex.isInputShutdown()
                || channel.pipeline().get(LingeringClose.class) != null) {
            channel.close();
            return;
        }
        LingeringClose linger = new LingeringClose();
        long now = System.nanoTime();
        linger.deadline = now + TIME.toNanos();
        linger.lastRead = now;
        channel.pipeline().addFirst("linger", linger);
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            tls.closeOutbound().addListener((ChannelFuture f) -> shutdownOutput(duplex, f.isSuccess()));
        } else {
            shutdownOutput(duplex, true);
        }
        channel.config().setAutoRead(true);
        channel.read();
        channel.eventLoop().schedule(() -> linger.check(channel), TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void shutdownOutput(DuplexChannel channel, boolean ready) {
        if (!ready) {
            channel.close();
            return;
        }
        channel.shutdownOutput().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private void check(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        long now = System.nanoTime();
        long quietUntil = lastRead + TIMEOUT.toNanos();
        if (now - deadline >= 0 || now - quietUntil >= 0) {
            channel.close();
            return;
        }
        long next = Math.min(deadline, quietUntil) - now;
        channel.eventLoop().schedule(() -> check(channel), next, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastRead = System.nanoTime();
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Nothing downstream asks for reads any more.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The user's EOF on a connection that allows half-closes: all it sent is read, and the edge's side is done.
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
