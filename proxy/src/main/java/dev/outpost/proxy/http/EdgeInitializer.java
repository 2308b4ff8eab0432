package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.Balancer;
import dev.outpost.proxy.routing.RoutingTable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The pipeline of a user connection, one concern per handler: {@code http} (HTTP/1.1 codec),
 * {@code flow} (one message per read, so a pipelined request waits its turn), {@code idle} (closes
 * keep-alive connections left unused), {@code forwarded} (headers for the instance), {@code proxy}.
 */
public final class EdgeInitializer extends ChannelInitializer<SocketChannel> {
    /** Unused keep-alive user connections are closed after this long. */
    public static final Duration CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(75);

    private final String region;
    private final Supplier<RoutingTable> routes;
    private final Balancer balancer;
    private final UpstreamPool pool;
    private final ChannelGroup clients;
    private final BooleanSupplier draining;

    /** @param clients every accepted connection is added, so the proxy can drain and close them */
    public EdgeInitializer(String region, Supplier<RoutingTable> routes, Balancer balancer, UpstreamPool pool,
                           ChannelGroup clients, BooleanSupplier draining) {
        this.region = region;
        this.routes = routes;
        this.balancer = balancer;
        this.pool = pool;
        this.clients = clients;
        this.draining = draining;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        clients.add(ch);
        ch.pipeline()
                .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(8192)
                        .setMaxHeaderSize(16384)
                        .setMaxChunkSize(16384)))
                .addLast("flow", new FlowControlHandler())
                .addLast("idle", new IdleStateHandler(0, 0, CLIENT_IDLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .addLast("forwarded", new ForwardedHeadersHandler(region))
                .addLast("proxy", new HttpProxyHandler(routes, balancer, pool, draining));
    }
}
