package dev.outpost.proxy.tcp;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt) that tells the
 * instance who really connected: {@code source} is the client, {@code destination} the dedicated address
 * it dialled. Version 1 is the text line {@code PROXY TCP4 src dst sport dport\r\n}; version 2 the binary
 * form (signature, {@code PROXY} command, {@code TCP over IPv4/IPv6}, addresses, ports). When the two
 * addresses differ in family, the IPv4 one is written as an IPv4-mapped IPv6 address.
 */
public record ProxyProtocolHeader(int version, InetSocketAddress source, InetSocketAddress destination) {
    /** The 12 bytes every version 2 header starts with: {@code \r\n\r\n\0\r\nQUIT\n}. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_PROXY = 0x21;
    private static final int V2_TCP4 = 0x11;
    private static final int V2_TCP6 = 0x21;

    public ProxyProtocolHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("PROXY protocol version must be 1 or 2, got " + version);
        }
        if (source == null || destination == null || source.getAddress() == null || destination.getAddress() == null) {
            throw new IllegalArgumentException("a PROXY protocol header needs resolved source and destination addresses, got "
                    + source + " and " + destination);
        }
    }

    /** Appends the header's bytes to {@code out}. */
    public void writeTo(ByteBuf out) {
        InetAddress src = source.getAddress();
        InetAddress dst = destination.getAddress();
        boolean ipv4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        byte[] srcBytes = ipv4 ? src.getAddress() : ipv6(src);
        byte[] dstBytes = ipv4 ? dst.getAddress() : ipv6(dst);
        if (version == 1) {
            String line = "PROXY " + (ipv4 ? "TCP4 " : "TCP6 ") + text(srcBytes) + " " + text(dstBytes) + " "
                    + source.getPort() + " " + destination.getPort() + "\r\n";
            out.writeCharSequence(line, StandardCharsets.US_ASCII);
            return;
        }
        out.writeBytes(V2_SIGNATURE);
        out.writeByte(V2_PROXY);
        out.writeByte(ipv4 ? V2_TCP4 : V2_TCP6);
        out.writeShort(srcBytes.length * 2 + 4);
        out.writeBytes(srcBytes);
        out.writeBytes(dstBytes);
        out.writeShort(source.getPort());
        out.writeShort(destination.getPort());
    }

    private static byte[] ipv6(InetAddress address) {
        if (address instanceof Inet6Address) {
            return address.getAddress();
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
        return mapped;
    }

    private static String text(byte[] raw) {
        try {
            // Java keeps a mapped address as IPv4 when parsing; format 16 bytes ourselves via Inet6Address.
            return raw.length == 4 ? InetAddress.getByAddress(raw).getHostAddress()
                    : Inet6Address.getByAddress(null, raw, -1).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + raw.length + " bytes is not an IP address", e);
        }
    }
}
