package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * On the plain HTTP port, tells HTTP/2 with prior knowledge (h2c: the connection opens with the
 * 24-byte preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}) from HTTP/1.1, by the first bytes only:
 * as soon as one differs from the preface the connection is HTTP/1.1 (a request line never starts
 * with {@code PRI *}), so an HTTP/1.1 client never waits for more bytes than it sent. The bytes read
 * so far are handed on unchanged to the chain installed in its place.
 */
final class H2cPrefaceDetector extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final EdgeProtocols protocols;

    H2cPrefaceDetector(EdgeProtocols protocols) {
        this.protocols = protocols;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // AUTO_READ is off: nothing reads until someone asks, and the chain that will ask is not installed yet.
        ctx.read();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        boolean prefix = true;
        for (int i = 0; i < n && prefix; i++) {
            prefix = in.getByte(in.readerIndex() + i) == PREFACE[i];
        }
        if (!prefix) {
            protocols.http1(ctx);
        } else if (n == PREFACE.length) {
            protocols.http2(ctx);
        } else {
            return;
        }
        // Removing a ByteToMessageDecoder passes the bytes it holds to the next handler.
        ctx.pipeline().remove(this);
    }
}
