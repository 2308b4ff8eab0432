package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.testing.Curl;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawHttp;
import dev.outpost.proxy.testing.WebSocketEchoServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code Upgrade} passthrough on HTTP/1.1: after the instance's 101 the edge relays raw bytes both ways. */
class EdgeProxyUpgradeTest {
    private final ProxyFixture fx = new ProxyFixture();

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void aWebSocketEchoesThroughTheEdgeAndTheConnectionStaysUsable() throws Exception {
        WebSocketEchoServer echo = fx.closing(new WebSocketEchoServer("ws-1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, app("chat", echo.target())));
        HttpClient client = fx.closing(HttpClient.newHttpClient());
        WebSocketEchoServer.Client ws = WebSocketEchoServer.connect(client, proxy.httpAddress().getPort(), "chat.outpost.localhost");
        WebSocket socket = ws.socket();
        BlockingQueue<String> received = ws.received();
        try {
            socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo: hello");
            String big = "x".repeat(100_000);
            socket.sendText(big, true).get(5, TimeUnit.SECONDS);
            String echoed = received.poll(5, TimeUnit.SECONDS);
            // Compared by length and ends, so a failure does not print 100 kB.
            assertThat(echoed).isNotNull();
            assertThat(echoed.length()).isEqualTo(big.length() + 6);
            assertThat(echoed.equals("echo: " + big)).isTrue();
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUpgradeTheInstanceDeclinesIsAnOrdinaryResponse() throws Exception {
        InstanceServer plain = fx.instance("a", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", plain.target())));

        try (RawHttp http = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response declined = http.send("GET / HTTP/1.1\r\nHost: hello.outpost.localhost\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\n\r\n").read();
            RawHttp.Response after = http.send("GET / HTTP/1.1\r\nHost: hello.outpost.localhost\r\n\r\n").read();

            assertThat(declined.status()).isEqualTo(200);
            // The instance saw the upgrade offer, and the connection stayed HTTP.
            assertThat(declined.body()).contains("h:upgrade=websocket");
            assertThat(after.status()).isEqualTo(200);
        }
        assertThat(plain.requests()).isEqualTo(2);
    }

    @Test
    void anH2cUpgradeIsNotPassedOnAndCurlGetsItsAnswerInHttp11() throws Exception {
        Curl.require();
        InstanceServer hello = fx.instance("hello-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", hello.target())));
        int port = proxy.httpAddress().getPort();

        // curl --http2 on http:// asks with Upgrade: h2c (RFC 7540 §3.2, removed by RFC 9113). The edge speaks h2c by prior
        // knowledge itself; passed on, the upgrade would let the instance take the connection past the edge.
        Curl.Result result = Curl.run("curl", "-sS", "--http2", "--max-time", "10", "-i",
                "--resolve", "hello.outpost.localhost:" + port + ":127.0.0.1", "http://hello.outpost.localhost:" + port + "/");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("HTTP/1.1 200").contains("instance=hello-1").doesNotContain("h:upgrade=", "h:http2-settings=");
    }

    @Test
    void aUserEofOnAnUpgradedConnectionClosesItEvenIfTheInstanceStaysSilent() throws Exception {
        // Answers the upgrade, then neither sends nor closes: only the edge can end the user's connection.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch done = new CountDownLatch(1);
            Thread instance = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    InputStream in = s.getInputStream();
                    String head = "";
                    while (!head.endsWith("\r\n\r\n")) {
                        head += (char) in.read();
                    }
                    s.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    done.await(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // the test's end
                }
            });
            instance.setDaemon(true);
            instance.start();
            EdgeProxy proxy = fx.proxy("iad", table(1, app("chat",
                    new RoutingTable.Target("silent-1", "iad", "127.0.0.1", silent.getLocalPort(), 1))));

            try (Socket user = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort())) {
                user.setSoTimeout(10_000);
                user.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: chat\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = user.getInputStream();
                String head = "";
                while (!head.endsWith("\r\n\r\n")) {
                    head += (char) in.read();
                }
                assertThat(head).startsWith("HTTP/1.1 101");

                user.shutdownOutput();
                // The edge closes the user's side too: a plain connection allows half-closes for its requests, not once
                // it relays (read() would block until the timeout if the edge only passed the EOF on).
                assertThat(in.read()).isEqualTo(-1);
            } finally {
                done.countDown();
            }
        }
    }
}
