package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The instance side's codec: which responses take the raw path, what their bytes become, and that the rest decode as before. */
class UpstreamCodecTest {
    private static final AsciiString ID = AsciiString.cached(ErrorResponse.REQUEST_ID);
    private final UpstreamCodec codec = new UpstreamCodec();
    private final EmbeddedChannel channel = new EmbeddedChannel(codec);

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aWholePlainResponseComesAsBytesAndIsRewrittenLikeTheDecodedPath() {
        send(HttpMethod.GET);
        codec.allowRaw(true);
        receive("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:text/plain\r\nContent-Length: 5\r\n"
                + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nOutpost-Request-Id: forged\r\nX-Custom:  a b \r\n\r\nhello");

        RawResponse raw = channel.readInbound();
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.keepAlive()).isTrue();
        assertThat(raw.bodyLength()).isEqualTo(5);
        assertThat(raw.bodyInline()).isTrue();
        assertThat(head(raw, "req1", true)).isEqualTo("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:text/plain\r\n"
                + "Content-Length: 5\r\nX-Custom:  a b \r\nOutpost-Request-Id: req1\r\n\r\nhello");
        assertThat(head(raw, "req1", false)).isEqualTo("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:text/plain\r\n"
                + "Content-Length: 5\r\nX-Custom:  a b \r\nOutpost-Request-Id: req1\r\nConnection: close\r\n\r\nhello");
        raw.release();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void rawIsOffAgainOnceAResponseCameAndThePairingWithRequestsHolds() {
        send(HttpMethod.GET);
        send(HttpMethod.HEAD);
        codec.allowRaw(true);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");

        RawResponse raw = channel.readInbound();
        assertThat(raw.bodyLength()).isEqualTo(2);
        raw.release();
        // The HEAD answer: decoded, and without a body although it names a length.
        HttpResponse head = channel.readInbound();
        assertThat(head.headers().get("content-length")).isEqualTo("10");
        LastHttpContent end = channel.readInbound();
        assertThat(end.content().readableBytes()).isZero();
        end.release();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aHeadInPiecesWaitsForTheRestAndLosesNothing() {
        send(HttpMethod.GET);
        codec.allowRaw(true);
        receive("HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Len");
        assertThat((Object) channel.readInbound()).isNull();
        receive("gth: 3\r\n\r\nabc");

        RawResponse raw = channel.readInbound();
        assertThat(head(raw, "r", true)).isEqualTo("HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 3\r\nOutpost-Request-Id: r\r\n\r\nabc");
        raw.release();
    }

    @Test
    void aBodyNotAllHereIsStreamedByTheDecoder() {
        send(HttpMethod.GET);
        codec.allowRaw(true);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc");
        receive("def");

        assertThat(decodedBody()).isEqualTo("abcdef");
    }

    @Test
    void aLargeBodyStaysOutOfTheHeadBuffer() {
        send(HttpMethod.GET);
        codec.allowRaw(true);
        String body = "x".repeat(RawResponse.INLINE_BODY + 1);
        receive("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

        RawResponse raw = channel.readInbound();
        assertThat(raw.bodyInline()).isFalse();
        assertThat(head(raw, "r", true)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nOutpost-Request-Id: r\r\n\r\n");
        ByteBuf rest = raw.body();
        raw.release();
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo(body);
        rest.release();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nOutpost-Replay: region=ams\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n",
    })
    void everythingElseIsDecodedAsBefore(String response) {
        send(HttpMethod.GET);
        codec.allowRaw(true);
        receive(response);

        Object first = channel.readInbound();
        assertThat(first).isInstanceOf(HttpResponse.class);
        ReferenceCountUtil.release(first);
        Object next;
        while ((next = channel.readInbound()) != null) {
            ReferenceCountUtil.release(next);
        }
    }

    @Test
    void aNameWithSpaceBeforeItsColonIsLeftToTheDecoder() {
        send(HttpMethod.GET);
        codec.allowRaw(true);
        // RFC 9112 §5.1: a proxy removes that space before forwarding, which the decoded path does.
        receive("HTTP/1.1 200 OK\r\nX-Spaced : x\r\nContent-Length: 3\r\n\r\nabc");

        HttpResponse response = channel.readInbound();
        assertThat(response.decoderResult().isSuccess()).isTrue();
        assertThat(response.headers().get("X-Spaced")).isEqualTo("x");
        assertThat(decodedBody()).isEqualTo("abc");
    }

    @Test
    void theInstancesKeepAliveFollowsItsVersionAndConnectionHeader() {
        Map<String, Boolean> cases = Map.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true,
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false,
                "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n", false,
                "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false,
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true);
        cases.forEach((response, keepAlive) -> {
            send(HttpMethod.GET);
            codec.allowRaw(true);
            receive(response);
            RawResponse raw = channel.readInbound();
            assertThat(raw.keepAlive()).as(response).isEqualTo(keepAlive);
            raw.release();
        });
    }

    @Test
    void withoutRawEveryResponseIsDecodedWithSharedHeaderNames() {
        send(HttpMethod.GET);
        receive("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nx-rare: 1\r\nContent-Length: 2\r\n\r\nok");

        HttpResponse response = channel.readInbound();
        List<CharSequence> names = new ArrayList<>();
        response.headers().iteratorCharSequence().forEachRemaining(e -> names.add(e.getKey()));
        byte[] contentType = "Content-Type".getBytes(StandardCharsets.US_ASCII);
        assertThat((Object) names.get(0)).isSameAs(KnownHeaderNames.find(contentType, 0, contentType.length));
        byte[] rare = "x-rare".getBytes(StandardCharsets.US_ASCII);
        assertThat((Object) KnownHeaderNames.find(rare, 0, rare.length)).isNull();
        assertThat(names.get(1).toString()).isEqualTo("x-rare");
        HttpContent body = channel.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        body.release();
    }

    private void send(HttpMethod method) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ByteBuf written;
        while ((written = channel.readOutbound()) != null) {
            written.release();
        }
    }

    private void receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    private static String head(RawResponse raw, String id, boolean keepAlive) {
        ByteBuf out = raw.head(ByteBufAllocator.DEFAULT, ID, id, keepAlive);
        try {
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    private String decodedBody() {
        StringBuilder body = new StringBuilder();
        Object message;
        while ((message = channel.readInbound()) != null) {
            assertThat(message).isNotInstanceOf(RawResponse.class);
            if (message instanceof HttpContent content) {
                body.append(content.content().toString(StandardCharsets.US_ASCII));
            }
            ReferenceCountUtil.release(message);
        }
        return body.toString();
    }
}
