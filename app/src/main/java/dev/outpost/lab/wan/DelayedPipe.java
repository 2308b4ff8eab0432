package dev.outpost.lab.wan;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a {@link WanLink}: what {@code source} sends reaches {@code target} one-way
 * latency later, in order. Both channels live on the same event loop, so nothing here is shared
 * across threads. Bytes are held in a queue of their own with one timer for its head, not one
 * timer each: the event loop's timers do not promise FIFO order for deadlines a few nanoseconds
 * apart. The source is read only while fewer than the high watermark of bytes are held or being
 * written (a slow reader on the far side slows the writer), and again once below the low one.
 */
final class DelayedPipe extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DelayedPipe.class);
    private static final Object END_OF_INPUT = new Object();
    private static final Object CLOSED = new Object();

    private record Pending(long deadline, Object message) {}

    private final Channel source;
    private final Channel target;
    private final ChannelFuture targetReady;
    private final long oneWayNanos;
    private final long leaveFloorNanos;
    private final LinkStats stats;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private ScheduledFuture<?> timer;
    /** The latest write to the target: a half-close or close must wait for it, or it would discard what is not sent yet. */
    private ChannelFuture lastWrite;
    private long held;
    private boolean paused;
    private boolean ended;

    /**
     * @param leaveFloorNanos nothing leaves before this {@link System#nanoTime()}: models the TCP
     *                        handshake the local connect to the relay did not cost
     */
    DelayedPipe(Channel source, Channel target, long oneWayNanos, long leaveFloorNanos, LinkStats stats) {
        this(source, target, target.newSucceededFuture(), oneWayNanos, leaveFloorNanos, stats);
    }

    /**
     * @param targetReady nothing is written to {@code target} before this completes (its connect):
     *                    the source may send, and even close, before the far side has answered
     */
    DelayedPipe(Channel source, Channel target, ChannelFuture targetReady, long oneWayNanos, long leaveFloorNanos, LinkStats stats) {
        this.source = source;
        this.targetReady = targetReady;
        this.target = target;
        this.oneWayNanos = oneWayNanos;
        this.leaveFloorNanos = leaveFloorNanos;
        this.stats = stats;
        // Whatever is still queued when the far side goes away has nowhere to go.
        target.closeFuture().addListener(f -> drop());
        targetReady.addListener(f -> {
            if (timer == null) {
                arm();
            }
        });
    }

    /** Starts reading the source. */
    void start() {
        source.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf) || ended || !target.isOpen()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        held += buf.readableBytes();
        stats.hold(buf.readableBytes(), held);
        enqueue(buf);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (held < WanLink.HIGH_WATERMARK) {
            source.read();
        } else {
            paused = true;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !ended) {
            ended = true;
            enqueue(END_OF_INPUT);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        enqueue(CLOSED);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("WAN link connection {} failed: {}", source, cause.toString());
        source.close();
    }

    private void enqueue(Object message) {
        long deadline = Math.max(System.nanoTime(), leaveFloorNanos) + oneWayNanos;
        queue.add(new Pending(deadline, message));
        if (timer == null) {
            arm();
        }
    }

    private void arm() {
        Pending head = queue.peek();
        if (head == null || !targetReady.isDone()) {
            timer = null;
            return;
        }
        timer = source.eventLoop().schedule(this::deliver, Math.max(0, head.deadline() - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void deliver() {
        long now = System.nanoTime();
        boolean wrote = false;
        while (!queue.isEmpty() && queue.peek().deadline() <= now) {
            Object message = queue.poll().message();
            if (message instanceof ByteBuf buf) {
                int size = buf.readableBytes();
                lastWrite = target.write(buf).addListener((ChannelFutureListener) f -> written(size, f.isSuccess()));
                wrote = true;
            } else if (message == END_OF_INPUT) {
                target.flush();
                wrote = false;
                afterWrites(this::shutdownOutput);
            } else {
                target.flush();
                wrote = false;
                afterWrites(target::close);
            }
        }
        if (wrote) {
            target.flush();
        }
        arm();
    }

    /**
     * Runs {@code action} once every byte written so far has left. Netty's {@code shutdownOutput()} and
     * {@code close()} fail writes still in the outbound buffer; epoll had mostly written them by the
     * time flush() returned, io_uring only submits them, so the FIN would overtake the last bytes.
     */
    private void afterWrites(Runnable action) {
        ChannelFuture last = lastWrite;
        if (last == null || last.isDone()) {
            action.run();
        } else {
            last.addListener(f -> action.run());
        }
    }

    private void shutdownOutput() {
        if (target instanceof DuplexChannel duplex && target.isActive()) {
            duplex.shutdownOutput().addListener((ChannelFutureListener) f -> {
                // Both halves done: nothing more can travel on this connection.
                if (!f.isSuccess() || duplex.isInputShutdown()) {
                    target.close();
                }
            });
        } else {
            target.close();
        }
    }

    private void written(int size, boolean success) {
        held -= size;
        stats.release(size);
        // A failed write means the far side is gone; its own pipe carries the close back.
        if (success && paused && held < WanLink.LOW_WATERMARK) {
            paused = false;
            source.read();
        }
    }

    private void drop() {
        for (Pending p : queue) {
            if (p.message() instanceof ByteBuf buf) {
                held -= buf.readableBytes();
                stats.release(buf.readableBytes());
                buf.release();
            }
        }
        queue.clear();
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
