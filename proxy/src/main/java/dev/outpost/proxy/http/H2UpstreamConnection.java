package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;

/**
 * One HTTP/2 connection of the {@link H2UpstreamPool}, open or opening, and how many streams it
 * carries. Used only by the event loop that opened it.
 */
final class H2UpstreamConnection {
    private final ChannelFuture connected;
    private int streams;

    H2UpstreamConnection(ChannelFuture connected) {
        this.connected = connected;
    }

    /** Completes when the TCP connection is up (the client preface is written as it becomes active). */
    ChannelFuture connected() {
        return connected;
    }

    /**
     * True when another stream may be opened: the connection is up (or still opening), nobody sent
     * GOAWAY, and it carries fewer streams than {@code cap} and than the instance's
     * {@code SETTINGS_MAX_CONCURRENT_STREAMS}.
     */
    boolean hasRoom(int cap) {
        if (streams >= cap) {
            return false;
        }
        if (!connected.isDone()) {
            // Its SETTINGS are not known yet: every server allows at least a few streams (RFC 9113 suggests 100).
            return true;
        }
        Channel channel = connected.channel();
        Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
        if (!connected.isSuccess() || !channel.isActive() || codec == null) {
            return false;
        }
        Http2Connection connection = codec.connection();
        return !connection.goAwayReceived() && !connection.goAwaySent()
                && streams < connection.local().maxActiveStreams();
    }

    void reserve() {
        streams++;
    }

    void unreserve() {
        streams--;
    }
}
