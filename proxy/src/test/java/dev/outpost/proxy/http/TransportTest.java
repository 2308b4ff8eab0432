package dev.outpost.proxy.http;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.testing.TestRequire;
import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.ProxyConfig;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.PatternedBody;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawHttp;
import dev.outpost.proxy.testing.WebSocketEchoServer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.http.HttpClient;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edge runs on whichever transport the machine offers best (io_uring, epoll, NIO), and the rest
 * of the proxy's tests run on that one: here every transport carries the same exchanges — keep-alive
 * requests on one connection, a body in both directions, a pooled upstream connection, a WebSocket.
 */
class TransportTest {
    private final ProxyFixture fx = new ProxyFixture();

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void unsetMeansIoUringThenEpollThenNio() {
        String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        assertThat(Transport.choose(null).name()).isEqualTo(expected);
        assertThat(Transport.choose(" ").name()).isEqualTo(expected);
    }

    @Test
    void aNameThatIsNoTransportSaysWhichThereAre() {
        assertThatThrownBy(() -> Transport.choose("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Doutpost.transport=kqueue names no transport; choose io_uring, epoll, nio, "
                        + "or leave it unset for the best this machine offers");
        assertThat(Transport.choose("nio").name()).isEqualTo("nio");
    }

    @Test
    void aKernelThatCannotMakeAFullRingGetsEpollByDefaultAndTheReasonWhenAsked() {
        // As a kernel before 5.12 answers io_uring_setup for a 4096-entry ring under a 64 KiB RLIMIT_MEMLOCK.
        java.util.function.Supplier<Throwable> refused = () -> new java.io.IOException("io_uring_setup(...) failed: Cannot allocate memory");
        TestRequire.component("io_uring", IoUring.isAvailable(), "Netty cannot load it here: " + IoUring.unavailabilityCause());

        assertThat(Transport.choose(null, refused).name()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
        assertThatThrownBy(() -> Transport.choose("io_uring", refused))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io_uring is not available on this machine (io_uring_setup(...) failed: Cannot allocate memory)")
                .hasMessageContaining("leave the property unset");
        assertThat(Transport.choose(null, () -> null).name()).isEqualTo("io_uring");
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void everyTransportCarriesKeepAliveBodiesAndUpgrades(String name) throws Exception {
        boolean available = switch (name) {
            case "io_uring" -> IoUring.isAvailable();
            case "epoll" -> Epoll.isAvailable();
            default -> true;
        };
        TestRequire.component(name, available, "Netty cannot load it here: " + switch (name) {
            case "io_uring" -> IoUring.unavailabilityCause();
            case "epoll" -> Epoll.unavailabilityCause();
            default -> "";
        });
        Transport transport = Transport.choose(name);
        assertThat(transport.name()).isEqualTo(name);
        InstanceServer hello = fx.instance("hello-1", "iad");
        WebSocketEchoServer echo = fx.closing(new WebSocketEchoServer("ws-1"));
        EdgeProxy proxy = fx.closing(new EdgeProxy(new ProxyConfig("iad", "127.0.0.1", 0), transport));
        proxy.start();
        proxy.update(table(1, app("hello", hello.target()), app("chat", echo.target())));

        byte[] upload = new byte[300_000];
        for (int i = 0; i < upload.length; i++) {
            upload[i] = (byte) (i * 31);
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
        try (RawHttp user = new RawHttp(proxy.httpAddress())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = user.send("GET /n" + i + " HTTP/1.1\r\nHost: hello\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(ProxyFixture.echoLines(r.body())).containsEntry("instance", "hello-1");
            }
            user.send("POST /upload HTTP/1.1\r\nHost: hello\r\nContent-Length: " + upload.length + "\r\n\r\n");
            user.send(new String(upload, java.nio.charset.StandardCharsets.ISO_8859_1));
            RawHttp.Response up = user.read();
            assertThat(up.status()).isEqualTo(200);
            assertThat(up.body()).contains("bytes=" + upload.length).contains("sha256=" + sha);
        }
        assertThat(hello.requests()).isEqualTo(4);
        assertThat(hello.connections()).as("one pooled upstream connection carried the user connection's requests").isEqualTo(1);
        java.net.http.HttpResponse<byte[]> down = fx.client().send(fx.request(proxy, "hello", "/download?bytes=200000&seed=7").build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(down.body())))
                .isEqualTo(PatternedBody.sha256(200_000, 7));

        HttpClient client = fx.closing(HttpClient.newHttpClient());
        WebSocketEchoServer.Client ws = WebSocketEchoServer.connect(client, proxy.httpAddress().getPort(), "chat.outpost.localhost");
        ws.socket().sendText("over " + name, true).get(5, TimeUnit.SECONDS);
        assertThat(ws.received().poll(5, TimeUnit.SECONDS)).isEqualTo("echo: over " + name);
        ws.socket().sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    }
}
