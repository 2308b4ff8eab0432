package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The user side's codec: responses already in bytes go out as they are and keep requests and responses paired. */
class EdgeCodecTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new EdgeCodec());

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void rawBytesGoOutAsTheyAreAndTakeTheirRequestsPlace() {
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
                StandardCharsets.US_ASCII));
        Object message;
        while ((message = channel.readInbound()) != null) {
            ReferenceCountUtil.release(message);
        }

        // The GET's answer, in bytes, in two pieces.
        channel.writeOutbound(new EdgeCodec.Raw(bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"), true));
        channel.writeOutbound(new EdgeCodec.Raw(bytes("cd"), false));
        assertThat(sent()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd");

        // The HEAD's answer, decoded: paired with HEAD, so its chunked framing gets no terminating chunk.
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(sent()).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private String sent() {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }
}
