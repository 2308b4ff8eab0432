package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import dev.outpost.proxy.tls.SniCertificates;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of a user connection, one concern per handler. On the HTTPS listener: {@code tls}
 * ({@link SniHostHandler}: the certificate for the SNI name from {@link SniCertificates}, read
 * per handshake), {@code idle}, {@code alpn} ({@link AlpnSwitch}). On the HTTP listener: {@code idle},
 * {@code detect} ({@link H2cPrefaceDetector}: h2c with prior knowledge or HTTP/1.1). Either then
 * installs, through {@link EdgeProtocols}, {@code http} ({@link EdgeCodec}: HTTP/1.1 with the
 * smuggling, size and head-timeout checks), {@code flow} (one message per read, so a pipelined
 * request waits its turn), {@code forwarded} (headers for the instance), {@code proxy}; or the HTTP/2
 * codec with that chain per stream. {@code idle} closes keep-alive connections left unused. A
 * connection over the per-client cap ({@link ClientConnectionLimit}) gets no pipeline: it is closed at once.
 */
public final class EdgeInitializer extends ChannelInitializer<SocketChannel> {
    /** Unused keep-alive user connections are closed after this long, unless the limits say otherwise. */
    public static final Duration CLIENT_IDLE_TIMEOUT = Duration.ofSeconds(75);

    /** A ClientHello larger than this is refused before any certificate is looked up. */
    static final int MAX_CLIENT_HELLO = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EdgeInitializer.class);

    private final EdgeContext edge;
    private final ChannelGroup clients;
    private final ClientConnectionLimit perClient;
    private final Optional<SniCertificates> tls;
    private final EdgeProtocols protocols;
    private final UserConnectionErrors errors;

    /** The plain HTTP listener. @param clients every accepted connection is added, so the proxy can drain and close them */
    public EdgeInitializer(EdgeContext edge, ChannelGroup clients, ClientConnectionLimit perClient) {
        this(edge, clients, perClient, Optional.empty());
    }

    /** The HTTPS listener when {@code tls} is present, else the plain HTTP one. */
    public EdgeInitializer(EdgeContext edge, ChannelGroup clients, ClientConnectionLimit perClient, Optional<SniCertificates> tls) {
        this.edge = edge;
        this.clients = clients;
        this.perClient = perClient;
        this.tls = tls;
        this.protocols = new EdgeProtocols(edge, tls.isPresent() ? "https" : "http");
        this.errors = new UserConnectionErrors(edge.metrics());
    }

    /**
     * Starts a graceful close of an HTTP/2 connection: GOAWAY, the streams already open finish, then
     * the connection closes. False (and nothing done) when {@code connection} is not HTTP/2. Event loop only.
     */
    public static boolean goAway(Channel connection) {
        if (!EdgeProtocols.isHttp2(connection)) {
            return false;
        }
        // A GOAWAY frame, not close(): the client finishes its open streams and closes the connection itself.
        connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        return true;
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
        IdleTimeout idle = new IdleTimeout(limits.clientIdleTimeout());
        if (tls.isPresent()) {
            ch.pipeline()
                    .addLast("tls", new SniHostHandler(tls.get(), MAX_CLIENT_HELLO, limits.headTimeout().toMillis()))
                    .addLast("idle", idle)
                    .addLast("alpn", new AlpnSwitch(protocols));
        } else {
            ch.pipeline()
                    .addLast("idle", idle)
                    .addLast("detect", new H2cPrefaceDetector(protocols));
        }
        // Last whatever protocol follows: the chains are added after "alpn" or "detect", so before it.
        ch.pipeline().addLast("errors", errors);
    }
}
