package dev.outpost.proxy.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of a user connection, one concern per handler: {@code http} ({@link EdgeCodec}:
 * HTTP/1.1 with the smuggling, size and head-timeout checks), {@code flow} (one message per read,
 * so a pipelined request waits its turn), {@code idle} (closes keep-alive connections left unused),
 * {@code forwarded} (headers for the instance), {@code proxy}. A connection over the per-client cap
 * ({@link ClientConnectionLimit}) gets no pipeline: it is closed at once.
 */
public final class EdgeInitializer extends ChannelInitializer<SocketChannel> {
    /** Unused keep-alive user connections are closed after this long, unless the limits say otherwise. */
    public static final Duration CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(75);

    private static final Logger LOG = LoggerFactory.getLogger(EdgeInitializer.class);

    private final EdgeContext edge;
    private final ChannelGroup clients;
    private final ClientConnectionLimit perClient;

    /** @param clients every accepted connection is added, so the proxy can drain and close them */
    public EdgeInitializer(EdgeContext edge, ChannelGroup clients, ClientConnectionLimit perClient) {
        this.edge = edge;
        this.clients = clients;
        this.perClient = perClient;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!perClient.admit(ch)) {
            LOG.debug("closing {}: its address already has {} connections open", ch, perClient.max());
            edge.metrics().rejected("client_connections");
            ch.close();
            return;
        }
        clients.add(ch);
        ProxyLimits limits = edge.limits();
        ch.pipeline()
                .addLast("http", new EdgeCodec(limits.maxRequestLineLength(), limits.maxHeaderSize(), limits.maxHeaderCount(),
                        limits.headTimeout(), () -> edge.metrics().rejected("head_timeout")))
                .addLast("flow", new FlowControlHandler())
                .addLast("idle", new IdleStateHandler(0, 0, limits.clientIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("forwarded", new ForwardedHeadersHandler(edge.region()))
                .addLast("proxy", new HttpProxyHandler(edge));
    }
}
