package dev.outpost.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Turns a {@link ProxyProtocolHeader} written to an instance connection into its bytes; every other
 * message (the relayed bytes) passes through untouched.
 */
public final class ProxyProtocolEncoder extends MessageToByteEncoder<ProxyProtocolHeader> {
    public ProxyProtocolEncoder() {
        super(ProxyProtocolHeader.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ProxyProtocolHeader header, ByteBuf out) {
        header.writeTo(out);
    }
}
