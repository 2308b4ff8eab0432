package dev.outpost.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a connection saw no read and no write for
 * {@code timeout}, then again after every further {@code timeout} of silence; the handlers behind it
 * decide what idle means for them (close between requests, close a pooled connection).
 *
 * <p>Netty's {@code IdleStateHandler} does the same for all-idle, but it adds a listener to every
 * write's promise (it counts a write when it completes), which on a proxy is several listeners and
 * promises per request. This handler counts a write when it is made, a read when its batch ends,
 * and keeps one timer per connection, re-armed for the time left when it fires early. The
 * difference only shows on a write that never completes (a user who stopped reading): it counts
 * as activity here, and the proxy's own handlers never time out an exchange in progress anyway.
 */
public final class IdleTimeout extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private Ticker ticker = Ticker.systemTicker();
    private long lastActivity;
    private boolean reading;
    private ScheduledFuture<?> timer;
    private boolean closed;

    public IdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("an idle timeout must be positive, got " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
        super.channelRegistered(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            reading = false;
            lastActivity = ticker.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = ticker.nanoTime();
        ctx.write(msg, promise);
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer != null || closed) {
            return;
        }
        ticker = ctx.executor().ticker();
        lastActivity = ticker.nanoTime();
        arm(ctx, timeoutNanos);
    }

    private void stop() {
        closed = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (closed || !ctx.channel().isOpen()) {
            return;
        }
        long idle = ticker.nanoTime() - lastActivity;
        if (reading || idle < timeoutNanos) {
            // Activity since the timer was set: wait out the rest of the timeout from that moment.
            arm(ctx, reading ? timeoutNanos : timeoutNanos - idle);
            return;
        }
        arm(ctx, timeoutNanos);
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
}
