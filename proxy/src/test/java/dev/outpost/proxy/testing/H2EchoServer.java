package dev.outpost.proxy.testing;

import dev.outpost.core.api.RoutingTable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An instance that speaks only HTTP/2 with prior knowledge (h2c), as an app with {@code h2_backend}
 * does. Each request is answered with its view of it, one {@code key=value} per line: {@code proto=h2}, {@code uri},
 * {@code h:<name>} per header (pseudo-headers included), {@code t:<name>} per trailer, {@code length}, {@code sha256}, {@code body=<text>} (up to 1 KiB);
 * the response carries the trailer {@code x-echo-trailer: done}. {@code /reset} is answered with
 * RST_STREAM(REFUSED_STREAM) instead; {@code /big/N} with N patterned bytes ({@link PatternedBody}, seed 7); {@code /half} with a head, {@code partial}, then RST_STREAM(INTERNAL_ERROR).
 */
public final class H2EchoServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final String name;
    private final int maxConcurrentStreams;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger http1Connections = new AtomicInteger();

    public H2EchoServer(String name, int maxConcurrentStreams) throws InterruptedException {
        this(name, maxConcurrentStreams, false);
    }

    /**
     * @param alsoHttp1 also speak HTTP/1.1 on the same port, as many h2c servers do: a connection that
     *                  does not open with the HTTP/2 preface gets {@link WebSocketEchoServer}'s chain
     *                  (WebSocket echo on {@code /ws})
     */
    public H2EchoServer(String name, int maxConcurrentStreams, boolean alsoHttp1) throws InterruptedException {
        this.name = name;
        this.maxConcurrentStreams = maxConcurrentStreams;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (alsoHttp1) {
                            ch.pipeline().addLast(new ByteToMessageDecoder() {
                                @Override
                                protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                                    if (in.readableBytes() < 3) {
                                        return;
                                    }
                                    if (in.toString(in.readerIndex(), 3, StandardCharsets.US_ASCII).equals("PRI")) {
                                        addHttp2(ctx.pipeline());
                                    } else {
                                        http1Connections.incrementAndGet();
                                        WebSocketEchoServer.addEcho(ctx.pipeline());
                                    }
                                    ctx.pipeline().remove(this);
                                }
                            });
                        } else {
                            addHttp2(ch.pipeline());
                        }
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private void addHttp2(ChannelPipeline pipeline) {
        pipeline.addLast(Http2FrameCodecBuilder.forServer()
                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams))
                        // Sends a head larger than the edge's advertised limit, as a careless server would, for /header/N.
                        .encoderIgnoreMaxHeaderListSize(true)
                        .build())
                .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        streams.incrementAndGet();
                        stream.pipeline()
                                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                .addLast(new HttpObjectAggregator(1024 * 1024))
                                .addLast(new Echo());
                    }
                }));
    }

    public H2EchoServer(String name) throws InterruptedException {
        this(name, 100);
    }

    public RoutingTable.Target target() {
        return new RoutingTable.Target(name, "iad", "127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort(), 1);
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections that spoke HTTP/1.1 (only with {@code alsoHttp1}). */
    public int http1Connections() {
        return http1Connections.get();
    }

    /** Streams (requests) opened so far. */
    public int streams() {
        return streams.get();
    }

    /** The echo body as a map (last value wins). */
    public static Map<String, String> parse(String body) {
        return ProxyFixture.echoLines(body);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static String sha256(ByteBuf content) {
        try {
            return PatternedBody.sha256(new ByteArrayInputStream(ByteBufUtil.getBytes(content)));
        } catch (IOException e) {
            throw new UncheckedIOException("hashing a request body in memory failed", e);
        }
    }

    private static byte[] patterned(int length) {
        byte[] bytes = new byte[length];
        new PatternedBody(length, 7).read(bytes, 0, length);
        return bytes;
    }

    private final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.uri().startsWith("/reset")) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                return;
            }
            if (request.uri().startsWith("/big/")) {
                int bytes = Integer.parseInt(request.uri().substring("/big/".length()));
                FullHttpResponse big = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(patterned(bytes)));
                big.trailingHeaders().set("x-echo-trailer", "done");
                ctx.writeAndFlush(big);
                return;
            }
            if (request.uri().startsWith("/header/")) {
                int bytes = Integer.parseInt(request.uri().substring("/header/".length()));
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8));
                response.headers().set("x-large", "v".repeat(bytes));
                ctx.writeAndFlush(response);
                return;
            }
            if (request.uri().startsWith("/half")) {
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("partial", StandardCharsets.UTF_8)));
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                return;
            }
            // What Netty's own conversion adds on this side, so the echo shows only what came over the wire.
            for (HttpConversionUtil.ExtensionHeaderNames ext : HttpConversionUtil.ExtensionHeaderNames.values()) {
                request.headers().remove(ext.text());
            }
            StringBuilder text = new StringBuilder("instance=").append(name).append("\nproto=h2\nuri=").append(request.uri()).append('\n');
            request.headers().forEach(h -> text.append("h:").append(h.getKey().toLowerCase()).append('=').append(h.getValue()).append('\n'));
            request.trailingHeaders().forEach(h -> text.append("t:").append(h.getKey().toLowerCase()).append('=').append(h.getValue()).append('\n'));
            text.append("length=").append(request.content().readableBytes()).append('\n');
            text.append("sha256=").append(sha256(request.content())).append('\n');
            if (request.content().readableBytes() <= 1024) {
                text.append("body=").append(request.content().toString(StandardCharsets.UTF_8)).append('\n');
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            response.trailingHeaders().set("x-echo-trailer", "done");
            ctx.writeAndFlush(response);
        }
    }
}
