package dev.outpost.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake, installs the chain of the protocol ALPN agreed: {@code h2}, or
 * {@code http/1.1} (also when the client offered no ALPN). A failed handshake closes the connection.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AlpnSwitch.class);

    private final EdgeProtocols protocols;

    AlpnSwitch(EdgeProtocols protocols) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.protocols = protocols;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // AUTO_READ is off and the chain that reads is installed after the handshake: read the handshake's bytes.
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            protocols.http2(ctx);
        } else {
            protocols.http1(ctx);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof IOException && !(cause instanceof SSLException)) {
            // A reset before or during the handshake (a port scan, a TCP health check): routine, where Netty's
            // handler logs a WARN. Not counted as tls_handshake, which counts handshakes the edge refused.
            LOG.debug("connection from {} failed before its TLS handshake completed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        protocols.edge().metrics().rejected("tls_handshake");
        ctx.close();
    }
}
