package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.testing.H2TestClient;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.WebSocketEchoServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WebSocket over HTTP/2 (RFC 8441 extended CONNECT) from the user to an HTTP/1.1 WebSocket instance. */
class EdgeProxyExtendedConnectTest {
    private final ProxyFixture fx = new ProxyFixture();

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    @Test
    void theEdgeAnnouncesExtendedConnect() throws Exception {
        EdgeProxy proxy = fx.proxy("iad", table(1));
        H2TestClient client = fx.closing(new H2TestClient(proxy.httpAddress()));

        assertThat(client.settings().connectProtocolEnabled()).isTrue();
    }

    @Test
    void aWebSocketOverAnHttp2StreamReachesAnHttp1Instance() throws Exception {
        WebSocketEchoServer echo = fx.closing(new WebSocketEchoServer("ws-1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, app("chat", echo.target())));
        H2TestClient client = fx.closing(new H2TestClient(proxy.httpAddress()));
        client.settings();
        BlockingQueue<H2TestClient.Received> received = H2TestClient.queue();
        Http2StreamChannel stream = client.open(received);

        Http2Headers connect = new DefaultHttp2Headers().method("CONNECT").scheme("http").path("/ws")
                .authority("chat.outpost.localhost").set(":protocol", "websocket").set("sec-websocket-version", "13");
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(connect)).sync();

        H2TestClient.Received answer = received.poll(10, TimeUnit.SECONDS);
        assertThat(answer).isInstanceOfSatisfying(H2TestClient.Received.Headers.class, h -> {
            assertThat(h.headers().status()).hasToString("200");
            assertThat(h.endStream()).isFalse();
            assertThat(h.headers().contains("sec-websocket-accept")).isFalse();
            assertThat(h.headers().contains("outpost-request-id")).isTrue();
        });

        for (String message : new String[] {"hi", "over h2"}) {
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(maskedText(message)))).sync();
            assertThat(new String(unframe(received), StandardCharsets.UTF_8)).isEqualTo("echo: " + message);
        }
    }

    /** A client WebSocket text frame (RFC 6455 §5.2), masked as clients must. */
    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81);
        out.write(0x80 | payload.length);
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        return out.toByteArray();
    }

    /** The payload of one unmasked server text frame, gathered from as many DATA frames as it spans. */
    private static byte[] unframe(BlockingQueue<H2TestClient.Received> received) throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (bytes.size() < 2 || bytes.size() < 2 + (bytes.toByteArray()[1] & 0x7f)) {
            H2TestClient.Received next = received.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("a DATA frame of the echo").isInstanceOf(H2TestClient.Received.Data.class);
            bytes.writeBytes(((H2TestClient.Received.Data) next).bytes());
        }
        byte[] frame = bytes.toByteArray();
        assertThat(frame[0] & 0xff).as("FIN + text opcode").isEqualTo(0x81);
        byte[] payload = new byte[frame[1] & 0x7f];
        System.arraycopy(frame, 2, payload, 0, payload.length);
        return payload;
    }
}
