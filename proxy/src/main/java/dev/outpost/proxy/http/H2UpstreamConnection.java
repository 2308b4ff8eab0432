package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.concurrent.Future;

/**
 * One HTTP/2 connection of the {@link H2UpstreamPool}, open or opening, and how many streams it
 * carries. Used only by the event loop that opened it.
 */
final class H2UpstreamConnection {
    private final Future<Channel> ready;
    private int streams;

    H2UpstreamConnection(Future<Channel> ready) {
        this.ready = ready;
    }

    /** Completes with the connection once the instance's SETTINGS arrived ({@link H2UpstreamReady}); fails as a connect fails. */
    Future<Channel> ready() {
        return ready;
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
        if (!ready.isDone()) {
            // Its SETTINGS are not known yet: streams beyond its limit will wait in the codec for a slot.
            return true;
        }
        if (!ready.isSuccess() || !ready.getNow().isActive()) {
            return false;
        }
        Http2FrameCodec codec = ready.getNow().pipeline().get(Http2FrameCodec.class);
        if (codec == null) {
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
