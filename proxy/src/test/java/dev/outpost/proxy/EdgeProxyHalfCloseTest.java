package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user that shuts its sending side after a request that asked to close the connection
 * ({@code printf 'GET / HTTP/1.0\r\n\r\n' | nc -N edge 80}, some health checkers) is answered, as HAProxy answers it;
 * before, the edge dropped the request at the EOF, sometimes after the instance had acted on it. A keep-alive
 * request's EOF is a user that left (a browser closing a tab): 499 at once, as nginx does
 * ({@code EdgeProxyOperationsTest}), unless more requests were pipelined behind it: then every one is answered.
 */
class EdgeProxyHalfCloseTest {
    private final ProxyFixture fx = new ProxyFixture();
    private InstanceServer hello;
    private EdgeProxy proxy;

    @BeforeEach
    void setUp() throws IOException {
        hello = fx.instance("hello-1", "iad");
        proxy = fx.proxy("iad", table(1, app("hello", hello.target())));
    }

    @AfterEach
    void tearDown() throws Exception {
        hello.releaseHeld();
        fx.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "GET /x HTTP/1.1\r\nHost: hello\r\nConnection: close\r\n\r\n",
            "GET /x HTTP/1.0\r\nHost: hello\r\n\r\n",
            "POST /upload HTTP/1.1\r\nHost: hello\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
            "POST /upload HTTP/1.1\r\nHost: hello\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"})
    void aRequestFollowedByTheUsersEofIsAnsweredThenTheConnectionCloses(String request) throws Exception {
        try (Socket socket = connect()) {
            sendThenHalfClose(socket, request);

            // readAllBytes returns at the edge's close: the answer is whole, and nothing is held open.
            String answer = readToTheEnd(socket);
            assertThat(answer).startsWith("HTTP/1.1 200 ").contains("instance=hello-1");
            if (request.startsWith("POST")) {
                assertThat(answer).contains("bytes=5");
            }
        }
        assertThat(hello.requests()).isEqualTo(1);
    }

    @Test
    void aUserThatHalfClosesWhileTheInstanceWorksGetsTheAnswer() throws Exception {
        try (Socket socket = connect()) {
            sendThenHalfClose(socket, "GET /hold HTTP/1.0\r\nHost: hello\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> hello.held() == 1);
            hello.releaseHeld();

            assertThat(readToTheEnd(socket)).startsWith("HTTP/1.1 200 ").contains("uri=/hold");
        }
    }

    @Test
    void aBodyCutShortByTheUsersEofIsRefusedAndTheConnectionCloses() throws Exception {
        try (Socket socket = connect()) {
            sendThenHalfClose(socket, "POST /upload HTTP/1.0\r\nHost: hello\r\nContent-Length: 10\r\n\r\nhello");

            // No 200 for half a body, and no wait for the rest: a 400 saying why, then the close (the instance may
            // have had the head and the five bytes; its connection is cut, so it never takes them for a whole body).
            assertThat(readToTheEnd(socket)).startsWith("HTTP/1.1 400 ").contains("before the request body was whole");
        }
    }

    @Test
    void aKeepAliveUserThatHalfClosesBetweenRequestsIsClosed() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: hello\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int read = 0;
            while (read < head.length) {
                read += socket.getInputStream().read(head, read, head.length - read);
            }
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");

            socket.shutdownOutput();
            // The rest of the first answer, then the edge's close (readAllBytes would wait for the idle timeout otherwise).
            assertThat(readToTheEnd(socket)).contains("instance=hello-1");
        }
    }

    @ParameterizedTest(name = "last asks to close: {0}")
    @ValueSource(booleans = {false, true})
    void requestsPipelinedBeforeTheUsersEofAreAllAnsweredInOrder(boolean lastAsksToClose) throws Exception {
        try (Socket socket = connect()) {
            sendThenHalfClose(socket, "GET /a HTTP/1.1\r\nHost: hello\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nHost: hello\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: hello\r\n" + (lastAsksToClose ? "Connection: close\r\n" : "") + "\r\n");

            String answers = readToTheEnd(socket);
            assertThat(answers.split("HTTP/1\\.1 200 ", -1)).hasSize(4);
            assertThat(answers).containsSubsequence("uri=/a", "uri=/b", "uri=/c");
            // The last answer tells the user the connection ends; readToTheEnd returned at the edge's close.
            assertThat(answers.substring(answers.lastIndexOf("HTTP/1.1 200 "))).containsIgnoringCase("connection: close");
        }
        assertThat(hello.requests()).isEqualTo(3);
    }

    @Test
    void requestsPipelinedBehindOneTheInstanceHoldsAreAnsweredAfterIt() throws Exception {
        try (Socket socket = connect()) {
            // The EOF comes while the instance holds the first request, with two more waiting behind it: a script
            // that pipelines, not a browser that left (whose keep-alive request would end in a 499).
            sendThenHalfClose(socket, "GET /hold HTTP/1.1\r\nHost: hello\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nHost: hello\r\n\r\n"
                    + "GET /c HTTP/1.1\r\nHost: hello\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> hello.held() == 1);
            hello.releaseHeld();

            String answers = readToTheEnd(socket);
            assertThat(answers).containsSubsequence("uri=/hold", "uri=/b", "uri=/c");
            assertThat(answers.split("HTTP/1\\.1 200 ", -1)).hasSize(4);
        }
        assertThat(hello.requests()).isEqualTo(3);
    }

    /** Writes {@code request} whole, then shuts the socket's sending side, as {@code nc -N} does. */
    private static void sendThenHalfClose(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.shutdownOutput();
    }

    /** All the edge sends until it closes (the socket's read timeout bounds the wait). */
    private static String readToTheEnd(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
