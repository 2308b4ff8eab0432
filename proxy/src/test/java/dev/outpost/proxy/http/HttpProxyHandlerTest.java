package dev.outpost.proxy.http;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.routing.RoutingTable;
import dev.outpost.proxy.testing.InetEmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's own answers, without sockets: nothing here reaches an upstream. */
class HttpProxyHandlerTest {
    private final DefaultChannelGroup upstreams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean draining = new AtomicBoolean();
    private InetEmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        RoutingTable routes = RoutingTable.from(table(1, app("idle")), "iad", RoutingTable.empty("iad"));
        UpstreamPool pool = new UpstreamPool(Transport.nio(), upstreams, Duration.ofSeconds(30), Duration.ofSeconds(1));
        channel = new InetEmbeddedChannel(new EdgeCodec(), new FlowControlHandler(),
                new ForwardedHeadersHandler("iad"), new HttpProxyHandler(EdgeContext.of("iad", () -> routes, pool, draining::get)));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        upstreams.close();
    }

    @Test
    void answers404NamingTheHostAndKeepsTheConnection() {
        channel.receive("GET / HTTP/1.1\r\nHost: Hello.Outpost.Localhost:8080\r\n\r\n");

        String response = channel.sent();
        assertThat(response).startsWith("HTTP/1.1 404 Not Found\r\n")
                .contains("content-length: 46\r\n")
                .containsPattern("(?i)outpost-request-id: [0-9a-z]{20}\r\n")
                .doesNotContainIgnoringCase("connection: close")
                .endsWith("\r\n\r\nno app is deployed at hello.outpost.localhost\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void answers503WhenTheAppHasNoInstance() {
        channel.receive("GET / HTTP/1.1\r\nHost: idle\r\n\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                .endsWith("\r\n\r\napp idle has no healthy instance in any region\n");
    }

    @Test
    void answersPipelinedRequestsInOrderOnOneConnection() {
        channel.receive("GET / HTTP/1.1\r\nHost: one\r\n\r\n"
                + "POST / HTTP/1.1\r\nHost: idle\r\nContent-Length: 5\r\n\r\nhello"
                + "GET / HTTP/1.1\r\nHost: three\r\n\r\n");

        String responses = channel.sent();
        assertThat(responses.indexOf("no app is deployed at one\n"))
                .isLessThan(responses.indexOf("app idle has no healthy instance"))
                .isNotNegative();
        assertThat(responses.indexOf("app idle has no healthy instance")).isLessThan(responses.indexOf("no app is deployed at three\n"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void answersRequestsThatArriveOneAfterTheOther() {
        channel.receive("GET / HTTP/1.1\r\nHost: one\r\n\r\n");
        assertThat(channel.sent()).endsWith("no app is deployed at one\n");

        channel.receive("GET / HTTP/1.1\r\nHost: two\r\n\r\n");
        assertThat(channel.sent()).endsWith("no app is deployed at two\n");
    }

    @Test
    void closesAfterAnErrorWhenTheClientAskedTo() {
        channel.receive("GET / HTTP/1.1\r\nHost: nope\r\nConnection: close\r\n\r\n");

        assertThat(channel.sent()).containsIgnoringCase("connection: close\r\n").endsWith("no app is deployed at nope\n");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void closesAfterAnErrorWhenAChunkedBodyWouldHaveToBeDiscarded() {
        channel.receive("POST / HTTP/1.1\r\nHost: nope\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 404").containsIgnoringCase("connection: close\r\n");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void answers400AndClosesOnAMalformedRequest() {
        channel.receive("GET / HTTP/1.1\r\nHost: hello\r\nContent-Length: nope\r\n\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("malformed request");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void answers400AndClosesWithoutHost() {
        channel.receive("GET / HTTP/1.1\r\n\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 400 Bad Request\r\n").endsWith("malformed request: no Host header\n");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void answers400AndClosesOnAFoldedHeaderLine() {
        channel.receive("GET / HTTP/1.1\r\nHost: idle\r\nX-A: one\r\n two\r\n\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 400 Bad Request\r\n")
                .endsWith("malformed request: header line 3 starts with whitespace (obs-fold); "
                        + "folded header values are not accepted, send each header on one line\n");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void answersEarlierPipelinedRequestsBeforeRefusingABadOne() {
        channel.receive("GET / HTTP/1.1\r\nHost: one\r\n\r\n"
                + "POST / HTTP/1.1\r\nHost: idle\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");

        String responses = channel.sent();
        assertThat(responses).startsWith("HTTP/1.1 404 Not Found\r\n").contains("HTTP/1.1 400 Bad Request\r\n");
        assertThat(responses.indexOf("404 Not Found")).isLessThan(responses.indexOf("400 Bad Request"));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void answers414ForARequestLineOverTheLimit() {
        channel.receive("GET /" + "a".repeat(8200) + " HTTP/1.1\r\nHost: idle\r\n\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 414 Request-URI Too Long\r\n")
                .endsWith("request line longer than 8192 bytes; shorten the URI\n");
    }

    @Test
    void answers431ForMoreHeaderLinesThanAllowed() {
        channel.receive("GET / HTTP/1.1\r\nHost: idle\r\n" + "X-A: b\r\n".repeat(100) + "\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
                .endsWith("request has more than 100 header lines\n");
    }

    @Test
    void acceptsAHeadThatArrivesInPieces() {
        channel.receive("GET / HT");
        channel.receive("TP/1.1\r\nHo");
        channel.receive("st: one\r");
        channel.receive("\n\r\n");

        assertThat(channel.sent()).startsWith("HTTP/1.1 404 Not Found\r\n").endsWith("no app is deployed at one\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void closesIdleConnectionsWhenDraining() {
        channel.receive("GET / HTTP/1.1\r\nHost: nope\r\n\r\n");
        channel.sent();

        channel.pipeline().get(HttpProxyHandler.class).drain();

        assertThat(channel.isOpen()).isFalse();
    }
}
