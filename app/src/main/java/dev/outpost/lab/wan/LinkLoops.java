package dev.outpost.lab.wan;

import dev.outpost.proxy.http.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops every {@link WanLink} of one owner shares (a platform's links, or the CLI's access
 * link): a handful of threads, however many links there are.
 */
public final class LinkLoops implements AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup group;

    /** {@code threads} event loops of {@code transport} (the best the machine offers: {@link Transport#best()}). */
    public LinkLoops(Transport transport, int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("WAN link event loops must be at least 1, got " + threads);
        }
        this.transport = transport;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("outpost-wan-" + name), transport.ioHandlerFactory());
    }

    Transport transport() {
        return transport;
    }

    EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
