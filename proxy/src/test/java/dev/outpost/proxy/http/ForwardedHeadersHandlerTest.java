package dev.outpost.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.testing.InetEmbeddedChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ForwardedHeadersHandlerTest {
    private InetEmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        channel = new InetEmbeddedChannel(new HttpRequestDecoder(), new ForwardedHeadersHandler("syd"));
        channel.config().setAutoRead(true);
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private List<ForwardedRequest> receive(String raw) {
        channel.receive(raw);
        List<ForwardedRequest> requests = new ArrayList<>();
        for (Object msg = channel.readInbound(); msg != null; msg = channel.readInbound()) {
            if (msg instanceof ForwardedRequest r) {
                requests.add(r);
            } else {
                ((LastHttpContent) msg).release();
            }
        }
        return requests;
    }

    @Test
    void replacesClientSentForwardingHeadersWithWhatTheProxySaw() {
        ForwardedRequest forwarded = receive("GET /x HTTP/1.1\r\n"
                + "Host: hello.outpost.localhost:8080\r\n"
                + "Outpost-Client-IP: 6.6.6.6\r\n"
                + "Outpost-Region: fake\r\n"
                + "Outpost-Request-Id: chosen-by-client\r\n"
                + "X-Forwarded-For: 6.6.6.6\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Port: 443\r\n"
                + "X-Forwarded-Host: evil.example\r\n"
                + "Forwarded: for=6.6.6.6\r\n"
                + "Via: 1.0 somewhere\r\n"
                + "\r\n").get(0);

        HttpHeaders h = asSent(forwarded);
        assertThat(h.getAll("Outpost-Client-IP")).containsExactly("203.0.113.7");
        assertThat(h.getAll("Outpost-Region")).containsExactly("syd");
        assertThat(h.getAll("Outpost-Request-Id")).containsExactly(forwarded.requestId());
        assertThat(forwarded.requestId()).hasSize(20).isNotEqualTo("chosen-by-client");
        assertThat(h.getAll("X-Forwarded-For")).containsExactly("203.0.113.7");
        assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("http");
        assertThat(h.getAll("X-Forwarded-Port")).containsExactly("8080");
        assertThat(h.getAll("X-Forwarded-Host")).containsExactly("hello.outpost.localhost:8080");
        assertThat(h.getAll("Via")).containsExactly("1.1 outpost");
        assertThat(h.contains("Forwarded")).isFalse();
        assertThat(h.get("Host")).isEqualTo("hello.outpost.localhost:8080");

        // An HTTP/2 instance is sent fields, not bytes: the same values, set in the map.
        HttpHeaders fields = new DefaultHttpHeaders();
        ForwardingHeaders.of(forwarded.request()).setOn(fields);
        for (String name : List.of("Outpost-Client-IP", "Outpost-Region", "Outpost-Request-Id", "X-Forwarded-For",
                "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Host", "Via")) {
            assertThat(fields.getAll(name)).as(name).isEqualTo(h.getAll(name));
        }
    }

    @Test
    void eachRequestOfAConnectionIsSentItsOwnIdAndHost() {
        List<ForwardedRequest> requests = receive("GET /a HTTP/1.1\r\nHost: one.outpost.localhost\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: two.outpost.localhost\r\nX-Forwarded-Host: evil\r\n\r\n"
                + "GET /c HTTP/1.0\r\n\r\n");

        HttpHeaders first = asSent(requests.get(0));
        HttpHeaders second = asSent(requests.get(1));
        HttpHeaders third = asSent(requests.get(2));
        assertThat(first.getAll("X-Forwarded-Host")).containsExactly("one.outpost.localhost");
        assertThat(second.getAll("X-Forwarded-Host")).containsExactly("two.outpost.localhost");
        assertThat(third.contains("X-Forwarded-Host")).as("no Host, no TLS name: nothing to forward").isFalse();
        assertThat(first.get("Outpost-Request-Id")).isEqualTo(requests.get(0).requestId());
        assertThat(second.get("Outpost-Request-Id")).isEqualTo(requests.get(1).requestId()).isNotEqualTo(first.get("Outpost-Request-Id"));
        assertThat(List.of(first, second, third)).allSatisfy(h -> {
            assertThat(h.getAll("Outpost-Client-IP")).containsExactly("203.0.113.7");
            assertThat(h.getAll("Via")).containsExactly("1.1 outpost");
        });
    }

    /** The head as an instance reads it: encoded by the upstream codec (which adds the proxy's headers), decoded again. */
    private static HttpHeaders asSent(ForwardedRequest forwarded) {
        EmbeddedChannel upstream = new EmbeddedChannel(new UpstreamCodec());
        EmbeddedChannel instance = new EmbeddedChannel(new HttpRequestDecoder());
        try {
            assertThat(upstream.writeOutbound(forwarded.request())).isTrue();
            for (ByteBuf bytes = upstream.readOutbound(); bytes != null; bytes = upstream.readOutbound()) {
                instance.writeInbound(bytes);
            }
            HttpRequest seen = instance.readInbound();
            assertThat(seen.decoderResult().isSuccess()).as("the instance can parse what it is sent").isTrue();
            assertThat(seen.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
            assertThat(seen.uri()).isEqualTo(forwarded.request().uri());
            return seen.headers();
        } finally {
            upstream.finishAndReleaseAll();
            instance.finishAndReleaseAll();
        }
    }

    @Test
    void stripsHopByHopHeadersAndTheOnesConnectionNames() {
        ForwardedRequest forwarded = receive("POST /x HTTP/1.1\r\n"
                + "Host: hello\r\n"
                + "Connection: keep-alive, X-Secret-Hop\r\n"
                + "X-Secret-Hop: 1\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-Checksum\r\n"
                + "Upgrade: h2c\r\n"
                + "X-End-To-End: kept\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "\r\n0\r\n\r\n").get(0);

        HttpHeaders h = asSent(forwarded);
        for (String hop : List.of("Connection", "X-Secret-Hop", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade")) {
            assertThat(h.contains(hop)).as(hop).isFalse();
        }
        assertThat(h.get("X-End-To-End")).isEqualTo("kept");
        assertThat(h.get("Transfer-Encoding")).as("the codec frames the body by it").isEqualTo("chunked");
        assertThat(forwarded.keepAlive()).isTrue();
    }

    @Test
    void remembersWhatTheClientSpokeAndAsksInstancesInHttp11() {
        List<ForwardedRequest> requests = receive("GET /a HTTP/1.0\r\nHost: hello\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: hello\r\nConnection: close\r\n\r\n"
                + "GET /c HTTP/1.0\r\nHost: hello\r\nConnection: keep-alive\r\n\r\n");

        assertThat(requests).extracting(ForwardedRequest::clientVersion)
                .containsExactly(HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0);
        assertThat(requests).extracting(ForwardedRequest::keepAlive).containsExactly(false, false, true);
        assertThat(requests).extracting(r -> r.request().protocolVersion()).containsOnly(HttpVersion.HTTP_1_1);
        assertThat(requests).extracting(ForwardedRequest::requestId).doesNotHaveDuplicates();
    }

    @Test
    void anUpgradeToH2cIsDroppedAndOtherProtocolsInTheListStay() {
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.CONNECTION, "Upgrade, HTTP2-Settings");
        assertThat(ForwardedHeadersHandler.upgrade(headers.set(HttpHeaderNames.UPGRADE, "h2c"), HttpVersion.HTTP_1_1)).isNull();
        assertThat(ForwardedHeadersHandler.upgrade(headers.set(HttpHeaderNames.UPGRADE, "H2C, websocket"), HttpVersion.HTTP_1_1))
                .isEqualTo("websocket");
        assertThat(ForwardedHeadersHandler.upgrade(headers.set(HttpHeaderNames.UPGRADE, "websocket , h2c"), HttpVersion.HTTP_1_1))
                .isEqualTo("websocket");
        assertThat(ForwardedHeadersHandler.upgrade(headers.set(HttpHeaderNames.UPGRADE, "websocket"), HttpVersion.HTTP_1_0)).isNull();
    }
}
