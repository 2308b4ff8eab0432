package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.routing.RoutingTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Telling h2c prior knowledge from HTTP/1.1 by the first bytes, on an embedded channel. */
class H2cPrefaceDetectorTest {
    private static EmbeddedChannel channel() {
        EdgeContext edge = EdgeContext.of("iad", () -> RoutingTable.empty("iad"), null, () -> false);
        return new EmbeddedChannel(new H2cPrefaceDetector(new EdgeProtocols(edge, "http")));
    }

    @Test
    void aRequestLineMakesTheConnectionHttp1AtItsFirstByte() {
        EmbeddedChannel ch = channel();

        ch.writeInbound(Unpooled.copiedBuffer("G", StandardCharsets.US_ASCII));

        assertThat(ch.pipeline().get(H2cPrefaceDetector.class)).isNull();
        assertThat(ch.pipeline().get(EdgeCodec.class)).isNotNull();
        assertThat(ch.pipeline().get(Http2FrameCodec.class)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPartialPrefaceWaitsAndTheWholeOneMakesItHttp2() {
        EmbeddedChannel ch = channel();

        ch.writeInbound(Unpooled.copiedBuffer("PRI * HTTP/2.0\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.pipeline().get(H2cPrefaceDetector.class)).isNotNull();
        ch.writeInbound(Unpooled.copiedBuffer("\r\nSM\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(ch.pipeline().get(H2cPrefaceDetector.class)).isNull();
        assertThat(ch.pipeline().get(Http2FrameCodec.class)).isNotNull();
        assertThat(ch.pipeline().get(EdgeCodec.class)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPrefixOfThePrefaceThatThenDiffersIsHttp1() {
        EmbeddedChannel ch = channel();

        ch.writeInbound(Unpooled.copiedBuffer("PRI /x HTTP/1.1\r\n", StandardCharsets.US_ASCII));

        assertThat(ch.pipeline().get(EdgeCodec.class)).isNotNull();
        ch.finishAndReleaseAll();
    }
}
