package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawH2;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4 item 5 over HTTP/2, with frames written as bytes: the floods behind the HTTP/2 CVEs of 2023–2024 and
 * frames out of place end the user's connection with GOAWAY, are counted, and leave the edge serving; none of it
 * fills the edge's log.
 */
class EdgeProxyHttp2AbuseTest {
    private final ProxyFixture fx = new ProxyFixture();
    /** Netty logs an exception no handler took at WARN, with its stack trace, on this logger. */
    private final Logger pipelineLogger = (Logger) org.slf4j.LoggerFactory.getLogger(DefaultChannelPipeline.class);
    private final ListAppender<ILoggingEvent> pipelineLines = new ListAppender<>();
    private InstanceServer hello;
    private EdgeProxy proxy;

    @BeforeEach
    void setUp() throws IOException {
        pipelineLines.start();
        pipelineLogger.addAppender(pipelineLines);
        hello = fx.instance("hello-1", "iad");
        proxy = fx.proxy("iad", table(1, app("hello", hello.target())));
    }

    @AfterEach
    void tearDown() throws Exception {
        pipelineLogger.detachAppender(pipelineLines);
        pipelineLines.stop();
        fx.close();
    }

    /** What a test sends; a write may fail once the edge has closed the connection, which is the point. */
    interface Abuse {
        void send(RawH2 raw) throws IOException;
    }

    /*
     * Each flood is one frame past the limit of Netty's codec (its defaults: 16 small CONTINUATIONs, 2 empty DATA
     * frames; 200 resets in 30 s, sent until the GOAWAY is read), so the edge has read (almost) all of it when it
     * closes: bytes it left unread would make its kernel answer with a TCP reset, which can overtake the GOAWAY.
     */
    static Stream<Arguments> abuses() {
        return Stream.of(
                Arguments.of("streams opened and reset at once (rapid reset, CVE-2023-44487)", Http2Error.ENHANCE_YOUR_CALM, "h2_flood",
                        (Abuse) raw -> {
                            // Until the GOAWAY comes: a reset of a stream the edge already answered is not counted,
                            // so 201 pairs are not always enough; stopping then leaves the edge little unread.
                            for (int i = 0; i < 2000 && raw.goaway() == null; i++) {
                                raw.headers(2 * i + 1, get("/"), true);
                                raw.reset(2 * i + 1, (int) Http2Error.CANCEL.code());
                            }
                        }),
                Arguments.of("empty CONTINUATION frames (CVE-2024-27316)", Http2Error.ENHANCE_YOUR_CALM, "h2_flood",
                        (Abuse) raw -> {
                            raw.frame(RawH2.HEADERS, 0, 1, raw.hpack(get("/")));
                            for (int i = 0; i < 17; i++) {
                                raw.frame(RawH2.CONTINUATION, 0, 1, new byte[0]);
                            }
                        }),
                Arguments.of("empty DATA frames (CVE-2019-9518)", Http2Error.ENHANCE_YOUR_CALM, "h2_flood",
                        (Abuse) raw -> {
                            raw.headers(1, new DefaultHttp2Headers().method("POST").scheme("http").path("/upload").authority("hello"), false);
                            for (int i = 0; i < 3; i++) {
                                raw.frame(RawH2.DATA, 0, 1, new byte[0]);
                            }
                        }),
                Arguments.of("DATA on the connection's stream 0", Http2Error.PROTOCOL_ERROR, "h2_protocol",
                        (Abuse) raw -> raw.frame(RawH2.DATA, 0, 0, new byte[] {'x'})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("abuses")
    void endsTheConnectionWithGoawayCountsItAndKeepsServing(String shape, Http2Error code, String reason, Abuse abuse) throws Exception {
        try (RawH2 raw = new RawH2(proxy.httpAddress()).startReading()) {
            try {
                abuse.send(raw);
            } catch (IOException closedUnderTheWrite) {
                // The edge closed the connection before the flood was all written.
            }

            assertThat(raw.awaitEnd(Duration.ofSeconds(10))).as("the edge closes the connection").isTrue();
            assertThat(raw.goaway()).as("GOAWAY").isNotNull()
                    .satisfies(goaway -> assertThat(goaway.code()).as("GOAWAY's error code").isEqualTo(code.code()));
        }
        assertThat(rejected(reason)).isEqualTo(1);
        // Each reset stream was a whole request: its reset may come after the instance had it. The other shapes never made one.
        if (!shape.startsWith("streams opened and reset")) {
            assertThat(hello.requests()).as("requests the instance saw").isZero();
        }
        assertThat(fx.get(proxy, "hello", "/after").statusCode()).isEqualTo(200);
        assertThat(tailWarnings()).isEmpty();
    }

    /**
     * Request heads that would smuggle a second request, or a header, into the HTTP/1.1 the instance is spoken to
     * in (the "H2.CRLF" and "H2.TE" desyncs), or that RFC 9113 §8.2 calls malformed.
     */
    static Stream<Arguments> malformedHeads() {
        return Stream.of(
                Arguments.of("CRLF in a value", unchecked().add("x-inject", "a\r\nX-Injected: yes")),
                Arguments.of("a bare LF in a value", unchecked().add("x-inject", "a\nX-Injected: yes")),
                Arguments.of("NUL in a value", unchecked().add("x-inject", "a\0b")),
                Arguments.of("a value with leading whitespace", unchecked().add("x-pad", " padded")),
                Arguments.of("CRLF in :path", new DefaultHttp2Headers(false, false, 8).method("GET").scheme("http")
                        .path("/a HTTP/1.1\r\nX-Injected: yes").authority("hello")),
                Arguments.of("CRLF in :method", new DefaultHttp2Headers(false, false, 8).method("GET /x HTTP/1.1\r\nHost: hello\r\n\r\nGET")
                        .scheme("http").path("/a").authority("hello")),
                Arguments.of("CRLF in :authority", new DefaultHttp2Headers(false, false, 8).method("GET").scheme("http").path("/a")
                        .authority("hello\r\nX-Injected: yes")),
                Arguments.of("a colon in a name", unchecked().add("x-a:b", "c")),
                Arguments.of("a space in a name", unchecked().add("x-a b", "c")),
                Arguments.of("an uppercase name", unchecked().add("X-Upper", "c")),
                Arguments.of("transfer-encoding", unchecked().add("transfer-encoding", "chunked")),
                Arguments.of("connection", unchecked().add("connection", "close")),
                Arguments.of("te other than trailers", unchecked().add("te", "gzip")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void aMalformedRequestHeadIsResetAndTheInstanceSeesNothing(String shape, Http2Headers head) throws Exception {
        try (RawH2 raw = new RawH2(proxy.httpAddress()).startReading()) {
            raw.headers(1, head, true);
            raw.headers(3, get("/next"), true);

            await().atMost(Duration.ofSeconds(10)).until(() -> raw.frames().stream().anyMatch(f -> f.type() == RawH2.HEADERS && f.stream() == 3));
            assertThat(raw.frames()).as("the malformed stream is reset (RFC 9113 §8.1.1)")
                    .anyMatch(f -> f.type() == RawH2.RST_STREAM && f.stream() == 1 && f.code() == Http2Error.PROTOCOL_ERROR.code())
                    .noneMatch(f -> f.type() == RawH2.HEADERS && f.stream() == 1);
            assertThat(raw.frames()).as("the connection goes on").anyMatch(f -> f.type() == RawH2.HEADERS && f.stream() == 3 && f.status() == 200);
        }
        assertThat(hello.requests()).as("only /next reached the instance").isEqualTo(1);
    }

    @Test
    void aBodyLongerThanItsContentLengthNeverReachesTheInstanceAsASecondRequest() throws Exception {
        // "H2.CL": on HTTP/1.1 the bytes past Content-Length would be the instance's next request.
        try (RawH2 raw = new RawH2(proxy.httpAddress()).startReading()) {
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, raw.hpack(new DefaultHttp2Headers().method("POST").scheme("http")
                    .path("/upload").authority("hello").add("content-length", "1")));
            raw.frame(RawH2.DATA, RawH2.END_STREAM, 1, "xGET /smuggled HTTP/1.1\r\nHost: hello\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

            await().atMost(Duration.ofSeconds(10)).until(() -> raw.frames().stream().anyMatch(f -> f.type() == RawH2.RST_STREAM && f.stream() == 1));
        }
        // The head may have reached the instance before the body did (then it waits for its one byte, and is cut);
        // a second request never does.
        assertThat(hello.requests()).isLessThanOrEqualTo(1);
    }

    /** A GET whose extra fields the test's own encoder does not check. */
    private static Http2Headers unchecked() {
        return new DefaultHttp2Headers(false, false, 8).method("GET").scheme("http").path("/a").authority("hello");
    }

    @Test
    void aHeaderBlockThatDecompressesPastTheLimitIsA431AndTheConnectionGoesOn() throws Exception {
        // About 4 KB on the wire: one 4000-byte header entered in the HPACK table, then named by its index 99 times more.
        Http2Headers bomb = get("/bomb");
        for (int i = 0; i < 100; i++) {
            bomb.add("x-bomb", "b".repeat(4000));
        }
        try (RawH2 raw = new RawH2(proxy.httpAddress()).startReading()) {
            byte[] block = raw.hpack(bomb);
            assertThat(block.length).as("the compressed block").isLessThan(5000);
            raw.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, block);
            raw.headers(3, get("/next"), true);

            await().atMost(Duration.ofSeconds(10)).until(() -> raw.frames().stream().filter(f -> f.type() == RawH2.HEADERS).count() == 2);
            assertThat(raw.frames()).filteredOn(f -> f.type() == RawH2.HEADERS)
                    .extracting(RawH2.Frame::stream, RawH2.Frame::status)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(1, 431), org.assertj.core.groups.Tuple.tuple(3, 200));
        }
        assertThat(hello.requests()).as("only /next reached the instance").isEqualTo(1);
    }

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("http").path(path).authority("hello");
    }

    private double rejected(String reason) {
        Counter counter = proxy.metrics().registry().find("outpost.proxy.rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private java.util.List<String> tailWarnings() {
        return pipelineLines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ": " + e.getThrowableProxy().getMessage()))
                .toList();
    }
}
