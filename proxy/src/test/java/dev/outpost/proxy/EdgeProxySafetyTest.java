package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.http.ProxyLimits;
import dev.outpost.proxy.testing.H2TestClient;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawHttp;
import dev.outpost.proxy.testing.Routes;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 4 item 5 over real sockets: every refused shape gets its answer, a clean close, and never reaches the instance. */
class EdgeProxySafetyTest {
    private final ProxyFixture fx = new ProxyFixture();
    private InstanceServer hello;

    @BeforeEach
    void setUp() throws IOException {
        hello = fx.instance("hello-1", "iad");
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    /** An idle timeout short enough to watch a stall in a test. */
    private static final ProxyLimits SHORT_IDLE = ProxyLimits.builder().clientIdleTimeout(Duration.ofMillis(400)).build();

    /**
     * {@code hello} with a hard limit of one, behind an edge with {@link #SHORT_IDLE}: an exchange that kept its slot
     * after a stall would leave the app nothing for the next request.
     */
    private EdgeProxy oneSlotWithShortIdleTimeout() {
        return fx.proxy("iad", SHORT_IDLE, table(1, Routes.limited("hello", 1, 1, "requests", hello.target())));
    }

    static Stream<Arguments> refused() {
        String longUri = "/" + "a".repeat(9000);
        String manyHeaders = "X-H: 1\r\n".repeat(101);
        String bigHeader = "X-Big: " + "b".repeat(17000) + "\r\n";
        return Stream.of(
                Arguments.of("both Content-Length and Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("differing duplicate Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("Transfer-Encoding not ending in chunked", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding other than chunked", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
                Arguments.of("obs-fold", 400,
                        "GET / HTTP/1.1\r\nHost: hello\r\nX-Folded: one\r\n two\r\n\r\n"),
                Arguments.of("obs-fold with a tab", 400,
                        "GET / HTTP/1.1\r\nHost: hello\r\nX-Folded: one\r\n\ttwo\r\n\r\n"),
                Arguments.of("bad chunk size", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("whitespace before the colon of Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: 5\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("negative Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: -5\r\n\r\nhello"),
                Arguments.of("Content-Length with a sign", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: +5\r\n\r\nhello"),
                Arguments.of("chunk size with a bare LF", 400,
                        "POST / HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
                Arguments.of("bare LF in the head", 400,
                        "GET / HTTP/1.1\r\nHost: hello\nX-A: b\r\n\r\n"),
                Arguments.of("URI too long", 414,
                        "GET " + longUri + " HTTP/1.1\r\nHost: hello\r\n\r\n"),
                Arguments.of("too many headers", 431,
                        "GET / HTTP/1.1\r\nHost: hello\r\n" + manyHeaders + "\r\n"),
                Arguments.of("headers too large", 431,
                        "GET / HTTP/1.1\r\nHost: hello\r\n" + bigHeader + "\r\n"),
                Arguments.of("two Host headers", 400,
                        "GET / HTTP/1.1\r\nHost: hello\r\nHost: other\r\n\r\n"),
                Arguments.of("the same Host twice", 400,
                        "GET / HTTP/1.1\r\nHost: hello\r\nHost: hello\r\n\r\n"),
                Arguments.of("a Host with a path", 400,
                        "GET / HTTP/1.1\r\nHost: hello/admin\r\n\r\n"),
                Arguments.of("a Host with user information", 400,
                        "GET / HTTP/1.1\r\nHost: user@hello\r\n\r\n"),
                Arguments.of("a Host with a port that is no number", 400,
                        "GET / HTTP/1.1\r\nHost: hello:80a\r\n\r\n"),
                Arguments.of("a target that is neither a path nor an absolute URI", 400,
                        "GET hello/x HTTP/1.1\r\nHost: hello\r\n\r\n"),
                Arguments.of("an absolute URI of another scheme", 400,
                        "GET ftp://hello/x HTTP/1.1\r\nHost: hello\r\n\r\n"),
                Arguments.of("an absolute URI with user information", 400,
                        "GET http://user@hello/x HTTP/1.1\r\nHost: hello\r\n\r\n"),
                Arguments.of("an HTTP/2.0 request line", 505,
                        "GET / HTTP/2.0\r\nHost: hello\r\n\r\n"),
                Arguments.of("CONNECT", 501,
                        "CONNECT hello:443 HTTP/1.1\r\nHost: hello:443\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesWithAnAnswerAndACleanCloseAndTheInstanceSeesNothing(String shape, int status, String request) throws Exception {
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response response = raw.send(request).read();

            assertThat(response.status()).as(shape).isEqualTo(status);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(hello.requests()).as(shape).isZero();
        assertThat(hello.connections()).as(shape).isZero();
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsAuthorityAndReachesTheInstanceAsAPath() throws Exception {
        InstanceServer other = fx.instance("other-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target()), app("other", other.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            // RFC 9112 §3.2.2: the target's authority wins over Host; the edge must route by the host the instance will see.
            RawHttp.Response response = raw.send("GET http://other.outpost.localhost:8080/x?y=1 HTTP/1.1\r\nHost: hello\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("instance=other-1\n", "uri=/x?y=1\n", "h:host=other.outpost.localhost:8080\n",
                    "h:x-forwarded-host=other.outpost.localhost:8080\n");

            response = raw.send("GET HTTP://hello?q HTTP/1.1\r\nHost: other\r\n\r\n").read();
            assertThat(response.body()).contains("instance=hello-1\n", "uri=/?q\n", "h:host=hello\n");
            // OPTIONS with an empty path asks about the server: asterisk form (the JDK's server answers it 404, passed on as is).
            response = raw.send("OPTIONS http://other HTTP/1.1\r\nHost: other\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.body()).contains("No context found");
        }
        assertThat(hello.requests()).isEqualTo(1);
        assertThat(other.requests()).isEqualTo(1);
    }

    @Test
    void aRefusalForTwoHostsNamesBothInTheOrderTheyCame() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response response = raw.send("GET / HTTP/1.1\r\nHost: hello\r\nHost: other\r\n\r\n").read();
            assertThat(response.body()).isEqualTo("malformed request: more than one Host header ('hello', 'other'); send exactly one\n");
        }
    }

    @Test
    void aLaterHttp1MinorVersionIsServedAsHttp11AndAsteriskFormReachesTheInstance() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response response = raw.send("GET /a HTTP/1.2\r\nHost: hello\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("uri=/a\n");
            // OPTIONS * is the one target that is not a path; the JDK's server answers it 404, which comes back as is.
            response = raw.send("OPTIONS * HTTP/1.1\r\nHost: hello\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.body()).contains("No context found");
        }
        assertThat(hello.requests()).isEqualTo(1);
    }

    @Test
    void overHttp2AStreamThatNamesItsHostTwoWaysOrAsksForATunnelIsRefusedAndTheInstanceSeesNothing() throws Exception {
        InstanceServer other = fx.instance("other-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target()), app("other", other.target())));
        H2TestClient client = h2Client(proxy);

        // An absolute :path would name a second host beside :authority.
        assertThat(stream(client, new DefaultHttp2Headers().method("GET").scheme("http").path("http://other/x").authority("hello")))
                .startsWith("400 malformed request: the :path 'http://other/x' is not a path starting with '/'");
        // Netty's conversion refuses a Host that differs from :authority (RFC 9113 §8.3.1): a 400 that says so.
        assertThat(stream(client, new DefaultHttp2Headers().method("GET").scheme("http").path("/x").authority("hello").add("host", "other")))
                .startsWith("400 malformed request: Conflicting ':authority' and 'host' headers found");
        assertThat(stream(client, new DefaultHttp2Headers().method("CONNECT").authority("hello:443")))
                .startsWith("501 CONNECT is not forwarded");
        assertThat(hello.requests() + other.requests()).isZero();

        // The same Host as :authority is allowed, and the connection still serves.
        assertThat(stream(client, new DefaultHttp2Headers().method("GET").scheme("http").path("/x").authority("hello").add("host", "hello")))
                .startsWith("200 instance=hello-1\nuri=/x\n");
    }

    /** An HTTP/2 client of {@code proxy} once the edge's SETTINGS came, closed with the fixture. */
    private H2TestClient h2Client(EdgeProxy proxy) throws Exception {
        H2TestClient client = fx.closing(new H2TestClient(proxy.httpAddress()));
        client.settings();
        return client;
    }

    /** One request on a new stream: "STATUS BODY" or "reset". */
    private static String stream(H2TestClient client, Http2Headers headers) throws Exception {
        BlockingQueue<H2TestClient.Received> received = H2TestClient.queue();
        client.open(received).writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).sync();
        StringBuilder answer = new StringBuilder();
        for (H2TestClient.Received r = received.poll(10, TimeUnit.SECONDS); r != null; r = received.poll(10, TimeUnit.SECONDS)) {
            if (r instanceof H2TestClient.Received.Reset) {
                return "reset";
            }
            if (r instanceof H2TestClient.Received.Headers h) {
                answer.append(h.headers().status()).append(' ');
                if (h.endStream()) {
                    break;
                }
            } else if (r instanceof H2TestClient.Received.Data d) {
                answer.append(new String(d.bytes(), StandardCharsets.UTF_8));
                if (d.endStream()) {
                    break;
                }
            }
        }
        return answer.toString();
    }

    @Test
    void aValidRequestOnTheSameProxyStillReachesTheInstance() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response response = raw.send("POST / HTTP/1.1\r\nHost: hello\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(200);
        }
        assertThat(hello.requests()).isEqualTo(1);
    }

    @Test
    void closesAConnectionWhoseHeadDoesNotCompleteInTime() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", ProxyLimits.builder().headTimeout(Duration.ofMillis(300)).build(),
                table(1, app("hello", hello.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            raw.send("GET / HTTP/1.1\r\nHost: hel");

            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(hello.requests()).isZero();
        assertThat(proxy.metrics().registry().find("outpost.proxy.rejected").tag("reason", "head_timeout").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anUploadThatStallsIsA408AndFreesTheInstancesSlot() throws Exception {
        EdgeProxy proxy = oneSlotWithShortIdleTimeout();

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            raw.send("POST /upload HTTP/1.1\r\nHost: hello\r\nContent-Length: 100\r\n\r\n0123456789");
            RawHttp.Response response = raw.read();

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).contains("the request body stalled: no byte of it came for 400ms");
            assertThat(raw.closedByPeer()).isTrue();
        }
        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            assertThat(raw.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(proxy.metrics().registry().find("outpost.proxy.rejected").tag("reason", "body_timeout").counter().count())
                .isEqualTo(1);
    }

    @Test
    void anHttp2StreamWhoseBodyStallsIsA408AndFreesTheInstancesSlot() throws Exception {
        // One connection can open many streams: each stalled body would hold a slot, as a stalled HTTP/1.1 upload does.
        EdgeProxy proxy = oneSlotWithShortIdleTimeout();
        H2TestClient client = h2Client(proxy);
        BlockingQueue<H2TestClient.Received> received = H2TestClient.queue();

        client.open(received).writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").scheme("http")
                .path("/upload").authority("hello").add("content-length", "100"), false)).sync();

        H2TestClient.Received answer = received.poll(10, TimeUnit.SECONDS);
        assertThat(answer).isInstanceOfSatisfying(H2TestClient.Received.Headers.class,
                h -> assertThat(h.headers().status()).hasToString("408"));
        assertThat(stream(client, new DefaultHttp2Headers().method("GET").scheme("http").path("/").authority("hello")))
                .startsWith("200 instance=hello-1");
    }

    @Test
    void anHttp2StreamWhoseUserStopsTakingTheResponseIsResetAndFreesTheInstancesSlot() throws Exception {
        EdgeProxy proxy = oneSlotWithShortIdleTimeout();
        H2TestClient client = h2Client(proxy);
        BlockingQueue<H2TestClient.Received> received = H2TestClient.queue();
        Http2StreamChannel download = client.open(received);
        // Reading nothing: no WINDOW_UPDATE goes out, and the edge's stream stops being writable once the window is spent.
        download.config().setAutoRead(false);

        download.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("http")
                .path("/download?bytes=" + (256L * 1024 * 1024) + "&seed=1").authority("hello"), true)).sync();

        // The only slot is the stalled download's until the edge gives up on it; then the next stream is served.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stream(client, new DefaultHttp2Headers().method("GET").scheme("http").path("/").authority("hello")))
                        .startsWith("200 instance=hello-1"));
        assertThat(received).as("the stalled stream ends in a reset").anyMatch(r -> r instanceof H2TestClient.Received.Reset);
        // The frames the client held unread go through its handler now, which releases them.
        download.config().setAutoRead(true);
        download.read();
        await().atMost(Duration.ofSeconds(10)).until(() -> !download.isActive());
    }

    @Test
    void anUploadThatWaitsOnASlowInstanceIsNotTheUsersSilence() throws Exception {
        int bodyBytes = 32 * 1024 * 1024;
        // Reads the head, pauses longer than the idle timeout without reading, then takes the body and answers.
        try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = slow.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    for (int matched = 0; matched < 4; ) {
                        int b = in.read();
                        matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
                    }
                    Thread.sleep(1_500);
                    in.skipNBytes(bodyBytes);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nall".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                } catch (Exception e) {
                    // The test fails on the answer.
                }
            });
            EdgeProxy proxy = fx.proxy("iad", SHORT_IDLE, table(1, app("hello", Routes.target("slow-1", "iad", slow.getLocalPort()))));

            try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
                raw.send("POST / HTTP/1.1\r\nHost: hello\r\nContent-Length: " + bodyBytes + "\r\n\r\n" + "\0".repeat(bodyBytes));
                RawHttp.Response response = raw.read();

                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("all");
            }
        }
    }

    @Test
    void aDownloadWhoseUserStopsReadingIsClosed() throws Exception {
        EdgeProxy proxy = oneSlotWithShortIdleTimeout();
        long size = 256L * 1024 * 1024;

        try (Socket user = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort())) {
            user.setReceiveBufferSize(64 * 1024);
            user.getOutputStream().write(("GET /download?bytes=" + size + "&seed=1 HTTP/1.1\r\nHost: hello\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // The user reads nothing: the edge's writes stop once the socket buffers are full, then the connection is
            // silent. The only slot is the stalled download's until the edge gives up on it; then the next request is served.
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
                    assertThat(raw.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);
                }
            });
            user.setSoTimeout(10_000);
            long read = 0;
            try {
                read = user.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException reset) {
                // Closed with unread bytes in flight: a reset is one way to learn it.
            }
            assertThat(read).isLessThan(size);
        }
    }

    @Test
    void keepsAConnectionWhoseHeadsArriveInTime() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", ProxyLimits.builder().headTimeout(Duration.ofMillis(300)).build(),
                table(1, app("hello", hello.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            assertThat(raw.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);
            // A keep-alive connection between requests is governed by the idle timeout, not the head timeout.
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(raw.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void closesConnectionsOverThePerClientCapWithoutAnAnswer() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", ProxyLimits.builder().maxConnectionsPerClient(2).build(),
                table(1, app("hello", hello.target())));
        try (RawHttp one = new RawHttp(proxy.httpAddress()); RawHttp two = new RawHttp(proxy.httpAddress())) {
            assertThat(one.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(two.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);

            try (RawHttp three = new RawHttp(proxy.httpAddress())) {
                assertThat(three.closedByPeer()).isTrue();
            }
        }
        // Once those two are gone, the address may connect again.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try (RawHttp again = new RawHttp(proxy.httpAddress())) {
                return again.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status() == 200;
            } catch (IOException closed) {
                return false;
            }
        });
        // At least the third; tries made while the first two were still closing count too.
        assertThat(proxy.metrics().registry().find("outpost.proxy.rejected").tag("reason", "client_connections").counter().count())
                .isGreaterThanOrEqualTo(1);
    }
}
