package dev.outpost.proxy.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket implementation of the event loops: io_uring where the kernel offers it, else native
 * epoll, else the JDK's NIO. io_uring hands the kernel a loop iteration's reads and writes in one
 * system call instead of one each: on bench/proxy's keep-alive scenario that is about an eighth less
 * CPU per proxied request than epoll (bench/README.md). The system property
 * {@value #PROPERTY} ({@code io_uring}, {@code epoll} or {@code nio}; e.g.
 * {@code OUTPOST_JAVA_OPTS=-Doutpost.transport=epoll}) chooses one instead. io_uring counts as offered
 * when Netty loads it and an event loop's full-size ring can be made (see {@link #ringFailure()}).
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerSocketChannel> serverChannel,
                        Class<? extends SocketChannel> clientChannel) {
    /** The system property that names a transport instead of the best available one. */
    public static final String PROPERTY = "outpost.transport";
    static final List<String> NAMES = List.of("io_uring", "epoll", "nio");
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    /** Why a full-size ring could not be made, once tried; null while it can. */
    private static Throwable ringFailure;
    private static boolean ringProbed;

    /**
     * The transport {@value #PROPERTY} names, else the best available one.
     *
     * @throws IllegalArgumentException the property names no transport, or one this machine cannot run (and why)
     */
    public static Transport best() {
        return choose(System.getProperty(PROPERTY));
    }

    /** {@code wanted} ({@code null} or blank: the best available); see {@link #best()}. */
    static Transport choose(String wanted) {
        return choose(wanted, Transport::ringFailure);
    }

    /** As {@link #choose(String)}, with {@code ringCheck} saying why an io_uring event loop cannot be made (null: it can). */
    static Transport choose(String wanted, Supplier<Throwable> ringCheck) {
        if (wanted == null || wanted.isBlank()) {
            if (IoUring.isAvailable() && ringCheck.get() == null) {
                return ioUring();
            }
            return Epoll.isAvailable() ? epoll() : nio();
        }
        return switch (wanted.trim()) {
            case "io_uring" -> {
                if (!IoUring.isAvailable()) {
                    throw unavailable("io_uring", IoUring.unavailabilityCause());
                }
                Throwable ring = ringCheck.get();
                if (ring != null) {
                    throw unavailable("io_uring", ring);
                }
                yield ioUring();
            }
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw unavailable("epoll", Epoll.unavailabilityCause());
                }
                yield epoll();
            }
            case "nio" -> nio();
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted + " names no transport; choose "
                    + String.join(", ", NAMES) + ", or leave it unset for the best this machine offers");
        };
    }

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, IoUringSocketChannel.class);
    }

    /**
     * Netty's availability check makes a one-entry ring; an event loop makes a full-size one, which a
     * kernel before 5.12 charges to RLIMIT_MEMLOCK (64 KiB by default, too little). One real event
     * loop is made and closed, once per process, so such a machine falls back to epoll instead of
     * failing when the edge starts.
     */
    private static synchronized Throwable ringFailure() {
        if (!ringProbed) {
            ringProbed = true;
            try {
                EventLoopGroup probe = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
                probe.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            } catch (RuntimeException | LinkageError e) {
                ringFailure = e.getCause() != null ? e.getCause() : e;
                LOG.info("io_uring is offered but an event loop's ring cannot be made ({}); using epoll", ringFailure.getMessage());
            }
        }
        return ringFailure;
    }

    private static IllegalArgumentException unavailable(String name, Throwable cause) {
        return new IllegalArgumentException("-D" + PROPERTY + "=" + name + ": " + name + " is not available on this machine ("
                + (cause == null ? "no reason given" : cause.getMessage()) + "); leave the property unset to use the best available transport",
                cause);
    }
}
