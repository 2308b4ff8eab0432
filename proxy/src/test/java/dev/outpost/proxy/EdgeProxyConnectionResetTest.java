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
import dev.outpost.proxy.testing.TlsClient;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Users reset connections all the time (port scans, TCP health checks, phones that lose their network): at
 * whatever point one does, the edge closes its side, and writes no WARN. Each used to be a WARN with a stack
 * trace from Netty's pipeline tail, or from its ALPN handler, so anyone could fill the edge's log.
 */
class EdgeProxyConnectionResetTest {
    private static final String HOST = "hello.outpost.localhost";

    private final ProxyFixture fx = new ProxyFixture();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private InstanceServer hello;
    private EdgeProxy proxy;

    @BeforeEach
    void setUp() throws IOException {
        lines.start();
        root.addAppender(lines);
        hello = fx.instance("hello-1", "iad");
        proxy = fx.proxy(new ProxyConfig("iad", "127.0.0.1", 0).withHttps(0), table(1, app("hello", hello.target())));
    }

    @AfterEach
    void tearDown() throws Exception {
        root.detachAppender(lines);
        lines.stop();
        hello.releaseHeld();
        fx.close();
    }

    /** What a user sends on the connection before it resets it; {@code tls}: on the HTTPS port, before any handshake. */
    static Stream<Arguments> resets() {
        return Stream.of(
                Arguments.of("plain, nothing sent", false, ""),
                Arguments.of("plain, part of a request line", false, "GE"),
                Arguments.of("plain, part of a head", false, "GET / HTTP/1.1\r\nHost: hel"),
                Arguments.of("plain, part of the HTTP/2 preface", false, "PRI * HTTP/2.0\r\n"),
                Arguments.of("TLS, nothing sent", true, ""),
                // A TLS record header and the start of a ClientHello that never completes.
                Arguments.of("TLS, part of a ClientHello", true, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resets")
    void aConnectionResetEarlyIsClosedWithoutAWarning(String shape, boolean tls, String sent) throws Exception {
        InetSocketAddress address = tls ? proxy.httpsAddress() : proxy.httpAddress();
        Socket socket = new Socket(address.getAddress(), address.getPort());
        await().atMost(Duration.ofSeconds(10)).until(() -> userConnections() == 1);
        socket.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
        socket.setSoLinger(true, 0);
        socket.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> userConnections() == 0);
        assertThat(warnings()).isEmpty();
    }

    @ParameterizedTest(name = "TLS done, ALPN {0}")
    @MethodSource("alpn")
    void aConnectionResetAfterItsHandshakeIsClosedWithoutAWarning(String alpn) throws Exception {
        Socket socket = TlsClient.connect(proxy.httpsAddress().getPort(), HOST, alpn);
        socket.setSoLinger(true, 0);
        socket.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> userConnections() == 0);
        assertThat(warnings()).isEmpty();
    }

    static Stream<String> alpn() {
        return Stream.of("http/1.1", "h2");
    }

    @Test
    void anHttp11RequestWhoseUserResetsWhileTheInstanceHasItIsA499WithoutAWarning() throws Exception {
        Socket socket = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort());
        socket.getOutputStream().write(("GET /hold HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        await().atMost(Duration.ofSeconds(10)).until(() -> hello.held() == 1);
        socket.setSoLinger(true, 0);
        socket.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> requests(499) == 1);
        assertThat(warnings()).isEmpty();
    }

    @Test
    void anHttp2StreamWhoseUserResetsTheConnectionIsA499WithoutAWarning() throws Exception {
        try (RawH2 raw = new RawH2(proxy.httpAddress()).startReading()) {
            raw.headers(1, new DefaultHttp2Headers().method("GET").scheme("http").path("/hold").authority(HOST), true);
            await().atMost(Duration.ofSeconds(10)).until(() -> hello.held() == 1);
            raw.resetOnClose();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> requests(499) == 1);
        assertThat(warnings()).isEmpty();
    }

    private double userConnections() {
        return proxy.metrics().registry().get("outpost.proxy.connections").gauge().value();
    }

    private double requests(int status) {
        Counter counter = proxy.metrics().registry().find("outpost.proxy.requests").tag("status", Integer.toString(status)).counter();
        return counter == null ? 0 : counter.count();
    }

    /** WARN and ERROR lines the edge's event loops wrote (the test's own servers run on threads of other names). */
    private List<String> warnings() {
        return lines.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) && e.getThreadName().startsWith("outpost-proxy-"))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " / " + e.getThrowableProxy().getMessage()))
                .toList();
    }
}
