package dev.outpost.proxy.http;

import dev.outpost.core.Durations;
import dev.outpost.proxy.routing.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 connections with prior knowledge (h2c) to the instances of apps with {@code h2_backend},
 * per upstream and per event loop like {@link UpstreamPool}'s, so a request never hops threads. Every
 * request is a stream ({@link Http2StreamChannelBootstrap}) on the first connection with room: room
 * is the instance's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, capped at {@link #MAX_STREAMS_PER_CONNECTION};
 * when every connection is full, or has received GOAWAY, another is opened. A connection without
 * streams closes after the idle timeout.
 *
 * <p>A stream's pipeline ({@link H2UpstreamAdapter}) reads and writes the same HTTP/1.1 objects as
 * a pooled HTTP/1.1 connection, so {@link HttpProxyHandler} drives both the same way.
 *
 * <p>Flow control: a stream's window (64 KiB, the protocol's default) is reopened only as the
 * proxy reads the stream, which it does only while the user can take more; the connection's
 * window is sized for every stream to fill its own at once, so one stalled user never stalls the
 * other streams of its connection.
 */
final class H2UpstreamPool {
    /** Streams one connection carries at most, whatever the instance allows (nginx's and HAProxy's default is 100 too). */
    static final int MAX_STREAMS_PER_CONNECTION = 100;

    /** The connection window: every stream's full window at once. */
    private static final int CONNECTION_WINDOW = MAX_STREAMS_PER_CONNECTION * Http2CodecUtil.DEFAULT_WINDOW_SIZE;

    /** What an instance of an app with {@code h2_backend} must do, for the messages of those that do not. */
    static final String SPEAK_H2C = "an app with h2_backend must serve HTTP/2 with prior knowledge (h2c) on its internal_port";

    private final UpstreamPool pool;
    private final Duration idleTimeout;
    private final Duration connectTimeout;
    private final FastThreadLocal<Map<Upstream, List<H2UpstreamConnection>>> connections = new FastThreadLocal<>() {
        @Override
        protected Map<Upstream, List<H2UpstreamConnection>> initialValue() {
            return new HashMap<>();
        }
    };

    /** @param connectTimeout how long a new connection may take to be up and to receive the instance's SETTINGS */
    H2UpstreamPool(UpstreamPool pool, Duration idleTimeout, Duration connectTimeout) {
        this.pool = pool;
        this.idleTimeout = idleTimeout;
        this.connectTimeout = connectTimeout;
    }

    /**
     * A new stream to {@code upstream}, on a connection owned by {@code loop} (the caller's). Fails as
     * a connect would (refused, timed out) when the connection cannot be made, so the caller ejects
     * the instance and tries another.
     */
    Future<Channel> openStream(Upstream upstream, EventLoop loop, boolean fresh) {
        Promise<Channel> promise = loop.newPromise();
        List<H2UpstreamConnection> list = connections.get().computeIfAbsent(upstream, u -> new ArrayList<>());
        H2UpstreamConnection connection = fresh ? null : withRoom(list);
        if (connection == null) {
            connection = connect(upstream, loop, list);
        }
        H2UpstreamConnection chosen = connection;
        chosen.reserve();
        chosen.ready().addListener((Future<Channel> f) -> {
            if (!f.isSuccess()) {
                chosen.unreserve();
                promise.setFailure(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap(f.getNow())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(StreamInitializer.INSTANCE)
                    .open()
                    .addListener((Future<Http2StreamChannel> opened) -> {
                        if (!opened.isSuccess()) {
                            chosen.unreserve();
                            promise.setFailure(opened.cause());
                            return;
                        }
                        Http2StreamChannel stream = opened.getNow();
                        stream.closeFuture().addListener(closed -> chosen.unreserve());
                        if (!promise.trySuccess(stream)) {
                            stream.close();
                        }
                    });
        });
        return promise;
    }

    private static H2UpstreamConnection withRoom(List<H2UpstreamConnection> list) {
        for (H2UpstreamConnection connection : list) {
            if (connection.hasRoom(MAX_STREAMS_PER_CONNECTION)) {
                return connection;
            }
        }
        return null;
    }

    private H2UpstreamConnection connect(Upstream upstream, EventLoop loop, List<H2UpstreamConnection> list) {
        Promise<Channel> ready = loop.newPromise();
        ChannelFuture future = pool.connect(upstream, loop, ch -> {
            Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                    // Response heads as large as an HTTP/1.1 instance may send (Netty's default is 8 KiB).
                    .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(UpstreamCodec.MAX_HEADER_SIZE))
                    .validateHeaders(true)
                    // Streams opened before the instance's SETTINGS said how many it takes wait in the codec
                    // for a free slot rather than being refused.
                    .encoderEnforceMaxConcurrentStreams(true)
                    .headerSensitivityDetector(EdgeProtocols.UNIQUE_PER_REQUEST)
                    .build();
            ch.pipeline()
                    .addLast("h2", codec)
                    .addLast("h2-streams", new Http2MultiplexHandler(RefuseStreams.INSTANCE))
                    .addLast("idle", new IdleTimeout(idleTimeout))
                    .addLast("h2-idle", new Http2IdleClose(codec))
                    .addLast("h2-ready", new H2UpstreamReady(ready));
            // Flow control is per stream: the connection itself always reads.
            ch.config().setAutoRead(true);
        });
        H2UpstreamConnection connection = new H2UpstreamConnection(ready);
        list.add(connection);
        Channel channel = future.channel();
        ScheduledFuture<?> deadline = loop.schedule(() -> {
            if (ready.tryFailure(new H2UpstreamException("no HTTP/2 SETTINGS came within " + Durations.format(connectTimeout)
                    + "; " + SPEAK_H2C))) {
                channel.close();
            }
        }, connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ready.addListener(f -> deadline.cancel(false));
        future.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
            } else {
                // Refused or timed out: the caller ejects the instance and tries another, as for HTTP/1.1.
                ready.tryFailure(f.cause());
            }
        });
        channel.closeFuture().addListener(f -> {
            list.remove(connection);
            if (list.isEmpty()) {
                connections.get().remove(upstream, list);
            }
        });
        return connection;
    }

    /** The pipeline of one request's stream. */
    @ChannelHandler.Sharable
    private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
        static final StreamInitializer INSTANCE = new StreamInitializer();

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline()
                    .addLast("http", new Http2StreamFrameToHttpObjectCodec(false, true))
                    .addLast("h2-upstream", new H2UpstreamAdapter())
                    .addLast("upstream", new UpstreamHandler());
        }
    }

    /** Push is disabled, so an instance never opens a stream; one that does anyway has it closed (RST_STREAM). */
    @ChannelHandler.Sharable
    private static final class RefuseStreams extends ChannelInitializer<Http2StreamChannel> {
        static final RefuseStreams INSTANCE = new RefuseStreams();

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.close();
        }
    }
}
