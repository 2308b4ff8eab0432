package dev.outpost.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An {@link EmbeddedChannel} with socket addresses, as an accepted TCP connection has: the client
 * at {@link #CLIENT}, the edge listener at {@link #EDGE}. Reads happen only when a handler asks
 * (AUTO_READ off), as on the proxy's real connections.
 */
public final class InetEmbeddedChannel extends EmbeddedChannel {
    public static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 51234);
    public static final InetSocketAddress EDGE = new InetSocketAddress("127.0.0.1", 8080);

    public InetEmbeddedChannel(ChannelHandler... handlers) throws Exception {
        super(false, false, handlers);
        config().setAutoRead(false);
        register();
    }

    @Override
    protected SocketAddress localAddress0() {
        return isActive() ? EDGE : null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return isActive() ? CLIENT : null;
    }

    /** Feeds raw bytes as if the client sent them. */
    public void receive(String bytes) {
        writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** Everything the handlers wrote to the client so far, as text; the buffers are released. */
    public String sent() {
        StringBuilder out = new StringBuilder();
        for (Object msg = readOutbound(); msg != null; msg = readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }
}
