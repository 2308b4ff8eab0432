package dev.outpost.proxy.admin;

import dev.outpost.proxy.telemetry.ProxyMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for operators: {@code GET /metrics} (Prometheus text format 0.0.4 of
 * {@link ProxyMetrics}), {@code GET /healthz} ({@code ok}); anything else is a 404. It runs on the
 * edge's event loops; scraping is cheap and rare.
 */
public final class AdminServer implements AutoCloseable {
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final Channel server;

    private AdminServer(Channel server) {
        this.server = server;
    }

    /** Binds {@code host:port} (0: any free port); the future fails when the address cannot be bound. */
    public static ChannelFuture bind(EventLoopGroup group, Class<? extends ServerSocketChannel> channel, String host, int port,
                                     ProxyMetrics metrics) {
        return new ServerBootstrap()
                .group(group)
                .channel(channel)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(64 * 1024))
                                .addLast("admin", new Handler(metrics));
                    }
                })
                .bind(host, port);
    }

    /** Wraps a bound listener. */
    public static AdminServer of(Channel bound) {
        return new AdminServer(bound);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ProxyMetrics metrics;

        Handler(ProxyMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            boolean get = request.method().equals(HttpMethod.GET);
            FullHttpResponse response;
            if (get && path.equals("/metrics")) {
                response = text(ctx, HttpResponseStatus.OK, metrics.scrape(), PROMETHEUS_CONTENT_TYPE);
            } else if (get && path.equals("/healthz")) {
                response = text(ctx, HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
            } else {
                response = text(ctx, HttpResponseStatus.NOT_FOUND, "the admin listener serves GET /metrics and GET /healthz\n",
                        "text/plain; charset=utf-8");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            ChannelFuture written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body, String type) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    ByteBufUtil.writeUtf8(ctx.alloc(), body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                    .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("admin connection {} failed, closing it", ctx.channel(), cause);
            ctx.close();
        }
    }
}
