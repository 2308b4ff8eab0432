package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.Mapping;

/**
 * Netty's {@code SniHandler} (the certificate for the ClientHello's server name, looked up per
 * handshake) that also remembers that name on the connection, so a request that names no host
 * (HTTP/1.0 without {@code Host}) is routed by SNI: requests route by SNI, then by {@code Host}.
 */
final class SniHostHandler extends SniHandler {
    static final AttributeKey<String> SNI_NAME = AttributeKey.valueOf("outpost.sni");

    SniHostHandler(Mapping<? super String, ? extends SslContext> mapping, int maxClientHelloLength, long handshakeTimeoutMillis) {
        super(mapping, maxClientHelloLength, handshakeTimeoutMillis);
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
        if (hostname != null) {
            ctx.channel().attr(SNI_NAME).set(hostname);
        }
        super.replaceHandler(ctx, hostname, sslContext);
    }

    /** The server name the client's TLS handshake asked for, on the connection or a stream of it; null without TLS or SNI. */
    static String of(Channel channel) {
        Channel connection = channel instanceof Http2StreamChannel stream ? stream.parent() : channel;
        return connection.attr(SNI_NAME).get();
    }
}
