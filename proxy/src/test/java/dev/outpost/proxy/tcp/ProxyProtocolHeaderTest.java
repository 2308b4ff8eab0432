package dev.outpost.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The PROXY header bytes exactly as https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt specifies them. */
class ProxyProtocolHeaderTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 51234);
    static final InetSocketAddress DEDICATED = new InetSocketAddress("127.1.2.5", 5432);

    static byte[] encode(ProxyProtocolHeader header) {
        EmbeddedChannel channel = new EmbeddedChannel(new ProxyProtocolEncoder());
        try {
            assertThat(channel.writeOutbound(header)).isTrue();
            ByteBuf out = channel.readOutbound();
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void version1IsOneTextLineWithTcp4AddressesAndPorts() {
        byte[] bytes = encode(new ProxyProtocolHeader(1, CLIENT, DEDICATED));

        assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 203.0.113.7 127.1.2.5 51234 5432\r\n");
    }

    @Test
    void version1WritesTcp6ForIpv6Clients() {
        byte[] bytes = encode(new ProxyProtocolHeader(1, new InetSocketAddress("2001:db8::1", 40000),
                new InetSocketAddress("2001:db8::5", 443)));

        assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP6 2001:db8:0:0:0:0:0:1 2001:db8:0:0:0:0:0:5 40000 443\r\n");
    }

    @Test
    void version2IsTheSignatureProxyCommandTcp4AndTwelveAddressBytes() {
        byte[] bytes = encode(new ProxyProtocolHeader(2, CLIENT, DEDICATED));

        byte[] expected = {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // \r\n\r\n\0\r\nQUIT\n
            0x21,                                                                   // version 2, PROXY
            0x11,                                                                   // AF_INET, STREAM
            0x00, 0x0C,                                                             // 12 address bytes follow
            (byte) 203, 0, 113, 7,                                                  // source 203.0.113.7
            127, 1, 2, 5,                                                           // destination 127.1.2.5
            (byte) 0xC8, 0x22,                                                      // source port 51234
            0x15, 0x38                                                              // destination port 5432
        };
        assertThat(bytes).containsExactly(expected);
    }

    @Test
    void version2WritesTcp6WithThirtySixAddressBytes() {
        byte[] bytes = encode(new ProxyProtocolHeader(2, new InetSocketAddress("2001:db8::1", 40000),
                new InetSocketAddress("127.1.2.5", 443)));

        assertThat(bytes).hasSize(16 + 36);
        assertThat(bytes[13]).as("AF_INET6, STREAM").isEqualTo((byte) 0x21);
        assertThat(bytes[14] << 8 | bytes[15]).isEqualTo(36);
        assertThat(bytes[16]).isEqualTo((byte) 0x20);
        // The IPv4 destination as an IPv4-mapped IPv6 address: ::ffff:127.1.2.5.
        assertThat(java.util.Arrays.copyOfRange(bytes, 32, 48))
                .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 127, 1, 2, 5);
    }

    @Test
    void relayedBytesPassThroughTheEncoderUntouched() {
        EmbeddedChannel channel = new EmbeddedChannel(new ProxyProtocolEncoder());
        channel.writeOutbound(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        ByteBuf out = channel.readOutbound();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void onlyVersionsOneAndTwoExist() {
        assertThatThrownBy(() -> new ProxyProtocolHeader(3, CLIENT, DEDICATED)).hasMessageContaining("must be 1 or 2, got 3");
    }
}
