package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
    private final UpstreamCodec codec = new UpstreamCodec();
    private final EmbeddedChannel channel = new EmbeddedChannel(codec);

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aWholePlainResponseComesAsBytesRewrittenLikeTheDecodedPath() {
        String instance = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:text/plain\r\nContent-Length: 5\r\n"
                + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nOutpost-Request-Id: forged\r\nX-Custom:  a b \r\n\r\nhello";
        send(HttpMethod.GET);
        allowRaw("req1", true);
        receive(instance);

        RawResponse raw = channel.readInbound();
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.keepAlive()).isTrue();
        assertThat(raw.bodyBytes()).isEqualTo(5);
        assertThat(raw.bodyToCome()).isZero();
        assertThat(text(raw)).isEqualTo("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:text/plain\r\n"
                + "Content-Length: 5\r\nX-Custom:  a b \r\nOutpost-Request-Id: req1\r\n\r\nhello");
        assertThat((Object) channel.readInbound()).isNull();

        // The user's connection ends with the next one: it says so.
        send(HttpMethod.GET);
        allowRaw("req2", false);
        receive(instance);
        assertThat(text(channel.readInbound())).isEqualTo("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:text/plain\r\n"
                + "Content-Length: 5\r\nX-Custom:  a b \r\nOutpost-Request-Id: req2\r\nConnection: close\r\n\r\nhello");
    }

    @Test
    void rawIsOffAgainOnceAResponseCameAndThePairingWithRequestsHolds() {
        send(HttpMethod.GET);
        send(HttpMethod.HEAD);
        allowRaw("r", true);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");

        RawResponse raw = channel.readInbound();
        assertThat(raw.bodyBytes()).isEqualTo(2);
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
        allowRaw("r", true);
        receive("HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Len");
        assertThat((Object) channel.readInbound()).isNull();
        receive("gth: 3\r\n\r\nabc");

        assertThat(text(channel.readInbound())).isEqualTo("HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 3\r\nOutpost-Request-Id: r\r\n\r\nabc");
    }

    @Test
    void aBodyNotAllHereFollowsAsPiecesAsItComesAndTheNextResponseStartsClean() {
        send(HttpMethod.GET);
        allowRaw("r", true);
        receive("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc");
        RawResponse raw = channel.readInbound();
        assertThat(raw.bodyBytes()).isEqualTo(3);
        assertThat(raw.bodyToCome()).isEqualTo(3);
        assertThat(text(raw)).endsWith("\r\n\r\nabc");
        assertThat((Object) channel.readInbound()).isNull();

        // The next response's first bytes come in the same read as the body's end: they are not body.
        send(HttpMethod.GET);
        receive("de");
        receive("fHTTP/1.1 200 OK\r\nCon");
        RawBody first = channel.readInbound();
        assertThat(first.last()).isFalse();
        assertThat(text(first)).isEqualTo("de");
        RawBody last = channel.readInbound();
        assertThat(last.last()).isTrue();
        assertThat(text(last)).isEqualTo("f");
        assertThat((Object) channel.readInbound()).isNull();
        // Raw was for one response: the next is decoded.
        receive("tent-Length: 2\r\n\r\nok");
        HttpResponse next = channel.readInbound();
        assertThat(next.status().code()).isEqualTo(200);
        assertThat(decodedBody()).isEqualTo("ok");
    }

    @Test
    void aLargeBodyIsCopiedUpToTheInlineSizeAndPassedOnAsASliceAfter() {
        send(HttpMethod.GET);
        allowRaw("r", true);
        String body = "x".repeat(RawResponse.INLINE_BODY) + "y".repeat(100);
        receive("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

        RawResponse raw = channel.readInbound();
        assertThat(raw.bodyBytes()).isEqualTo(RawResponse.INLINE_BODY);
        assertThat(raw.bodyToCome()).isEqualTo(100);
        assertThat(text(raw)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: " + body.length()
                + "\r\nOutpost-Request-Id: r\r\n\r\n" + "x".repeat(RawResponse.INLINE_BODY));
        RawBody rest = channel.readInbound();
        assertThat(rest.last()).isTrue();
        assertThat(text(rest)).isEqualTo("y".repeat(100));
    }

    @Test
    void aHeadLongerThanTheFirstLookIsStillRead() {
        send(HttpMethod.GET);
        allowRaw("r", true);
        String cookie = "Set-Cookie: " + "c".repeat(3000) + "\r\n";
        receive("HTTP/1.1 200 OK\r\n" + cookie + "Content-Length: 2\r\n\r\nok");

        assertThat(text(channel.readInbound())).isEqualTo("HTTP/1.1 200 OK\r\n" + cookie + "Content-Length: 2\r\nOutpost-Request-Id: r\r\n\r\nok");
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
        allowRaw("r", true);
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
        allowRaw("r", true);
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
            allowRaw("r", true);
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

    private void allowRaw(String requestId, boolean userKeepAlive) {
        codec.allowRaw(new RawResponse.Target(requestId, userKeepAlive));
    }

    /** The bytes of {@code holder}, which is released. */
    private static String text(ByteBufHolder holder) {
        try {
            return holder.content().toString(StandardCharsets.US_ASCII);
        } finally {
            holder.release();
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
