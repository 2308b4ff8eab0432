package dev.outpost.proxy.testing;

import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import dev.outpost.core.api.RoutingTable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An instance that accepts WebSocket upgrades on {@code /ws} and echoes each text message back prefixed with "echo: ". */
public final class WebSocketEchoServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final String name;

    public WebSocketEchoServer(String name) throws InterruptedException {
        this.name = name;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        addEcho(ch.pipeline());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** The HTTP/1.1 WebSocket echo chain. */
    static void addEcho(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(65536))
                .addLast(new WebSocketServerProtocolHandler("/ws"))
                // Clients fragment large messages; echo each message whole.
                .addLast(new WebSocketFrameAggregator(1024 * 1024))
                .addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
                    }
                });
    }

    /** A client WebSocket and the text messages it received, each whole. */
    public record Client(WebSocket socket, BlockingQueue<String> received) {}

    /** Opens a WebSocket to {@code /ws} on the edge at {@code port}, for {@code host}. */
    public static Client connect(HttpClient client, int port, String host) throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = client.newWebSocketBuilder()
                .header("Host", host)
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                    private final StringBuilder message = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        // A large message arrives in parts.
                        message.append(data);
                        if (last) {
                            received.add(message.toString());
                            message.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        return new Client(socket, received);
    }

    public RoutingTable.Target target() {
        return new RoutingTable.Target(name, "iad", "127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort(), 1);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
