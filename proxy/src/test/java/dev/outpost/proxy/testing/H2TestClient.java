package dev.outpost.proxy.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare HTTP/2 client (h2c, prior knowledge) on Netty's frame codec, for what curl cannot do, such
 * as extended CONNECT (RFC 8441): open streams, write frames, and take what each stream receives.
 */
public final class H2TestClient implements AutoCloseable {
    /** What a stream received: HEADERS, DATA (as bytes), or RST_STREAM. */
    public sealed interface Received {
        record Headers(Http2Headers headers, boolean endStream) implements Received {}
        record Data(byte[] bytes, boolean endStream) implements Received {}
        record Reset(long errorCode) implements Received {}
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();

    public H2TestClient(InetSocketAddress server) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient().build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new SimpleChannelInboundHandler<Http2SettingsFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Http2SettingsFrame frame) {
                                        settings.complete(frame.settings());
                                    }
                                });
                    }
                })
                .connect(server).sync().channel();
    }

    /** The server's first SETTINGS. */
    public Http2Settings settings() throws Exception {
        return settings.get(10, TimeUnit.SECONDS);
    }

    /** Opens a stream; what it receives goes to {@code received}. */
    public Http2StreamChannel open(BlockingQueue<Received> received) throws InterruptedException {
        return new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
                if (frame instanceof Http2HeadersFrame headers) {
                    received.add(new Received.Headers(headers.headers(), headers.isEndStream()));
                } else if (frame instanceof Http2DataFrame data) {
                    received.add(new Received.Data(ByteBufUtil.getBytes(data.content()), data.isEndStream()));
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof Http2ResetFrame reset) {
                    received.add(new Received.Reset(reset.errorCode()));
                }
            }
        }).open().sync().getNow();
    }

    /** A queue for {@link #open}. */
    public static BlockingQueue<Received> queue() {
        return new LinkedBlockingQueue<>();
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
