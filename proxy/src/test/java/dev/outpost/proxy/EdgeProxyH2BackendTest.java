package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.dead;
import static dev.outpost.proxy.testing.Routes.h2;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.testing.TestRequire;
import dev.outpost.proxy.testing.Curl;
import dev.outpost.proxy.testing.GrpcTestServer;
import dev.outpost.proxy.testing.H2EchoServer;
import dev.outpost.proxy.testing.H2TestClient;
import dev.outpost.proxy.http.ProxyLimits;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.Routes;
import dev.outpost.proxy.testing.PatternedBody;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawHttp;
import dev.outpost.proxy.testing.WebSocketEchoServer;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Apps with {@code h2_backend}: the edge speaks HTTP/2 with prior knowledge to their instances,
 * whatever the client spoke — gRPC end to end (statuses and metadata in trailers), curl over h2c and
 * over TLS, HTTP/1.1 clients with chunked bodies and trailers — over real sockets.
 */
class EdgeProxyH2BackendTest {
    private static final String GRPC_HOST = "grpc.outpost.localhost";
    private static final String ECHO_HOST = "echo.outpost.localhost";

    private final ProxyFixture fx = new ProxyFixture();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        fx.close();
    }

    private ManagedChannel grpcThrough(EdgeProxy proxy) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.httpAddress().getPort())
                .usePlaintext()
                .overrideAuthority(GRPC_HOST)
                .build();
        channels.add(channel);
        return channel;
    }

    private static CallOptions deadline() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void aGrpcUnaryCallPassesWithItsMetadataAndTheForwardingHeaders() throws Exception {
        GrpcTestServer server = fx.closing(new GrpcTestServer("g1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("grpc", server.target())));
        Metadata sent = new Metadata();
        sent.put(GrpcTestServer.X_TEST, "abc");
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        ClientInterceptor attach = MetadataUtils.newAttachHeadersInterceptor(sent);
        ClientInterceptor capture = MetadataUtils.newCaptureMetadataInterceptor(headers, trailers);

        String answer = ClientCalls.blockingUnaryCall(
                io.grpc.ClientInterceptors.intercept(grpcThrough(proxy), attach, capture), GrpcTestServer.SAY, deadline(), "world");

        assertThat(answer).isEqualTo("hello world");
        assertThat(headers.get().get(GrpcTestServer.X_TEST_ECHO)).isEqualTo("abc");
        assertThat(headers.get().get(Metadata.Key.of("outpost-request-id", Metadata.ASCII_STRING_MARSHALLER))).isNotBlank();
        assertThat(trailers.get().get(GrpcTestServer.X_TEST_TRAILER)).isEqualTo("bye");
        Metadata seen = server.lastHeaders();
        assertThat(seen.get(Metadata.Key.of("outpost-region", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("iad");
        assertThat(seen.get(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("127.0.0.1");
        assertThat(seen.get(Metadata.Key.of("via", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("1.1 outpost");
    }

    @Test
    void aGrpcServerStreamDeliversEveryMessageThenItsStatus() throws Exception {
        GrpcTestServer server = fx.closing(new GrpcTestServer("g1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("grpc", server.target())));
        ManagedChannel channel = grpcThrough(proxy);

        List<String> all = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, GrpcTestServer.COUNT, deadline(), "50").forEachRemaining(all::add);
        assertThat(all).hasSize(50).startsWith("1", "2").endsWith("50");

        List<String> some = new ArrayList<>();
        assertThatThrownBy(() -> ClientCalls.blockingServerStreamingCall(channel, GrpcTestServer.COUNT, deadline(), "2!")
                .forEachRemaining(some::add))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("stopped after 2");
                });
        assertThat(some).containsExactly("1", "2");
    }

    @Test
    void aGrpcErrorStatusArrivesIntactFromATrailersOnlyResponse() throws Exception {
        GrpcTestServer server = fx.closing(new GrpcTestServer("g1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("grpc", server.target())));
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(grpcThrough(proxy),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)), GrpcTestServer.FAIL, deadline(), "sprocket"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no widget named sprocket");
                });
        assertThat(trailers.get().get(GrpcTestServer.X_TEST_TRAILER)).isEqualTo("bye");
    }

    @Test
    void grpcCallsShareOneConnectionToTheInstance() throws Exception {
        GrpcTestServer server = fx.closing(new GrpcTestServer("g1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("grpc", server.target())));
        ManagedChannel channel = grpcThrough(proxy);

        for (int i = 0; i < 20; i++) {
            assertThat(ClientCalls.blockingUnaryCall(channel, GrpcTestServer.SAY, deadline(), "n" + i)).isEqualTo("hello n" + i);
        }
        // One client connection lives on one event loop, whose pool holds one connection to the instance.
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void curlWithPriorKnowledgeReachesAnH2BackendWithTrailers() throws Exception {
        Curl.require();
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));
        int port = proxy.httpAddress().getPort();

        Curl.Result result = Curl.run("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge",
                "-H", "X-Custom: yes", "-H", "Outpost-Region: forged", "-w", "\n%{http_code} %{http_version}",
                "--resolve", ECHO_HOST + ":" + port + ":127.0.0.1", "http://" + ECHO_HOST + ":" + port + "/path?q=1");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).endsWith("\n200 2");
        Map<String, String> seen = H2EchoServer.parse(result.out());
        assertThat(seen).containsEntry("proto", "h2").containsEntry("uri", "/path?q=1").containsEntry("h:x-custom", "yes")
                .containsEntry("h:outpost-region", "iad").containsEntry("h:te", "trailers")
                .containsEntry("h:x-forwarded-proto", "http").containsEntry("h:via", "1.1 outpost").containsEntry("h:cdn-loop", "outpost");
        assertThat(seen.keySet()).noneMatch(k -> k.startsWith("h:x-http2") || k.equals("h:connection"));
        assertThat(echo.connections()).isEqualTo(1);
    }

    @Test
    void curlOverTlsReachesAnH2Backend() throws Exception {
        Curl.require();
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy(new ProxyConfig("iad", "127.0.0.1", 0).withHttps(0), table(1, h2("echo", echo.target())));
        int port = proxy.httpsAddress().getPort();

        Curl.Result result = Curl.run("curl", "-sS", "-k", "--http2", "--max-time", "10", "-d", "payload",
                "-w", "\n%{http_code} %{http_version}", "--resolve", ECHO_HOST + ":" + port + ":127.0.0.1",
                "https://" + ECHO_HOST + ":" + port + "/tls");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).endsWith("\n200 2");
        assertThat(H2EchoServer.parse(result.out())).containsEntry("proto", "h2").containsEntry("body", "payload")
                .containsEntry("h:x-forwarded-proto", "https").containsEntry("uri", "/tls");
    }

    @Test
    void anHttp1ClientSendsAChunkedBodyWithTrailersAndGetsTheResponseTrailers() throws Exception {
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));

        String response;
        try (Socket socket = new Socket()) {
            socket.connect(proxy.httpAddress(), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: " + ECHO_HOST + "\r\nConnection: close\r\n"
                    + "TE: trailers\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            response = readAll(socket.getInputStream());
        }

        assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked")
                .contains("body=hello world").contains("t:x-checksum=42").contains("h:te=trailers")
                .doesNotContain("h:transfer-encoding").doesNotContain("h:connection");
        // The instance's trailer, after the last chunk.
        assertThat(response.substring(response.indexOf("\r\n0\r\n"))).containsIgnoringCase("x-echo-trailer: done");
    }

    @Test
    void largeBodiesStreamBothWaysThroughFlowControlWindows() throws Exception {
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));
        int up = 900_000;

        var upload = fx.client().send(fx.request(proxy, ECHO_HOST, "/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternedBody(up, 3))).build(),
                HttpResponse.BodyHandlers.ofString());
        var download = fx.client().send(fx.request(proxy, ECHO_HOST, "/big/3000000").build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(upload.statusCode()).isEqualTo(200);
        assertThat(ProxyFixture.echo(upload)).containsEntry("length", Integer.toString(up))
                .containsEntry("sha256", PatternedBody.sha256(up, 3));
        assertThat(download.statusCode()).isEqualTo(200);
        try (var body = download.body()) {
            assertThat(PatternedBody.sha256(body)).isEqualTo(PatternedBody.sha256(3_000_000, 7));
        }
    }

    @Test
    void aStreamResetBeforeTheResponseIsA502SayingWhy() throws Exception {
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));

        var response = fx.post(proxy, ECHO_HOST, "/reset", "data".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("RST_STREAM REFUSED_STREAM");
        // The connection survives a reset stream: the next request uses it.
        assertThat(fx.get(proxy, ECHO_HOST, "/after").statusCode()).isEqualTo(200);
        assertThat(echo.connections()).isEqualTo(1);
    }

    @Test
    void aStreamResetAfterTheResponseStartedResetsTheUsersStream() throws Exception {
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));
        H2TestClient client = fx.closing(new H2TestClient(proxy.httpAddress()));
        BlockingQueue<H2TestClient.Received> received = H2TestClient.queue();
        Http2StreamChannel stream = client.open(received);

        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("http").path("/half")
                .authority(ECHO_HOST), true)).sync();

        H2TestClient.Received first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first).isInstanceOfSatisfying(H2TestClient.Received.Headers.class,
                h -> assertThat(h.headers().status()).hasToString("200"));
        H2TestClient.Received last = first;
        while (!(last instanceof H2TestClient.Received.Reset)) {
            last = received.poll(10, TimeUnit.SECONDS);
            assertThat(last).as("the stream ends with RST_STREAM, never END_STREAM").isNotNull()
                    .isNotInstanceOfAny(H2TestClient.Received.Headers.class);
            if (last instanceof H2TestClient.Received.Data data) {
                assertThat(data.endStream()).isFalse();
            }
        }
    }

    @Test
    void anInstanceThatDoesNotSpeakH2cIsA502SayingWhatItMust() throws Exception {
        InstanceServer http1 = fx.instance("old", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", http1.target())));

        var response = fx.get(proxy, ECHO_HOST, "/");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("instance old").contains("HTTP/2 SETTINGS").contains("h2c");
    }

    @Test
    void aRefusedConnectionIsRetriedOnAnotherInstance() throws Exception {
        H2EchoServer echo = fx.closing(new H2EchoServer("live"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", dead("gone", "iad"), echo.target())));

        for (int i = 0; i < 4; i++) {
            var response = fx.get(proxy, ECHO_HOST, "/");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(ProxyFixture.echo(response)).containsEntry("instance", "live");
        }
    }

    @Test
    void h2loadOverOneConnectionOpensFewConnectionsToTheInstance() throws Exception {
        TestRequire.component("h2load", Curl.onPath("h2load"), "h2load is not on PATH (apt-get install -y nghttp2-client)");
        // The instance allows 4 streams per connection: 10 concurrent streams need more than one.
        H2EchoServer echo = fx.closing(new H2EchoServer("e1", 4));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));

        Curl.Result result = Curl.run("h2load", "-n", "200", "-c", "1", "-m", "10", "-H", ":authority: " + ECHO_HOST,
                "http://127.0.0.1:" + proxy.httpAddress().getPort() + "/");

        assertThat(result.out()).as(result.out() + result.err()).contains("200 succeeded").contains("200 2xx");
        assertThat(echo.streams()).isEqualTo(200);
        // One client connection is one event loop: at most ceil(10 / 4) connections, reused for all 200 requests.
        assertThat(echo.connections()).isBetween(2, 3);
    }

    @Test
    void aWebSocketReachesAnH2BackendOverHttp1AndAnH2cOnlyInstanceGetsA502SayingSo() throws Exception {
        // The instance serves h2c with prior knowledge and HTTP/1.1 on one port, as most h2c servers do.
        H2EchoServer both = fx.closing(new H2EchoServer("both", 100, true));
        H2EchoServer h2Only = fx.closing(new H2EchoServer("h2only"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", both.target()), h2("strict", h2Only.target())));
        HttpClient client = fx.closing(HttpClient.newHttpClient());

        WebSocketEchoServer.Client ws = WebSocketEchoServer.connect(client, proxy.httpAddress().getPort(), ECHO_HOST);
        try {
            ws.socket().sendText("over http/1.1", true).get(5, TimeUnit.SECONDS);
            assertThat(ws.received().poll(5, TimeUnit.SECONDS)).isEqualTo("echo: over http/1.1");
        } finally {
            ws.socket().sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
        // Ordinary requests still go as h2c streams.
        assertThat(H2EchoServer.parse(fx.get(proxy, ECHO_HOST, "/plain").body())).containsEntry("proto", "h2");
        assertThat(both.http1Connections()).isEqualTo(1);
        assertThat(both.streams()).isEqualTo(1);

        try (RawHttp http = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response refused = http.send("GET /ws HTTP/1.1\r\nHost: strict.outpost.localhost\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").read();
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.body()).contains("h2_backend").contains("HTTP/1.1").contains("h2c only");
        }
        assertThat(h2Only.streams()).isZero();
    }

    private static String readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void responseHeadersUpTo32KiBPassAndLargerOnesAreA502SayingSo() throws Exception {
        // As from an HTTP/1.1 instance: a 20 KB Content-Security-Policy or a pile of cookies is an ordinary response.
        H2EchoServer echo = fx.closing(new H2EchoServer("e1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, h2("echo", echo.target())));

        HttpResponse<String> large = fx.get(proxy, ECHO_HOST, "/header/20000");
        assertThat(large.statusCode()).isEqualTo(200);
        assertThat(large.headers().firstValue("x-large")).hasValueSatisfying(v -> assertThat(v).hasSize(20000));

        HttpResponse<String> tooLarge = fx.get(proxy, ECHO_HOST, "/header/40000");
        assertThat(tooLarge.statusCode()).isEqualTo(502);
        assertThat(tooLarge.body()).contains("instance e1").contains("sent response headers larger than 32 KiB");

        // Far past the limit, Netty's decoder ends the whole connection (against HPACK bombs): the 502 says that too.
        // Every stream on that connection ends with it, so an idempotent one is tried on another instance, if any.
        HttpResponse<String> muchTooLarge = fx.get(proxy, ECHO_HOST, "/header/100000");
        assertThat(muchTooLarge.statusCode()).isEqualTo(502);
        assertThat(muchTooLarge.body()).contains("instance e1").contains("broke HTTP/2 on its connection (Header size exceeded");

        // The next request is served, on a new connection when the last one was closed.
        assertThat(fx.get(proxy, ECHO_HOST, "/after").statusCode()).isEqualTo(200);
    }

    @Test
    void anAppThatSetsNoResponseTimeoutHasItsHttpRequestsTimedButNotItsGrpcCalls() throws Exception {
        // A watch sends its first message, and so its headers, when an event comes: minutes later, in real life.
        GrpcTestServer grpc = fx.closing(new GrpcTestServer("g1"));
        InstanceServer web = fx.instance("web-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", ProxyLimits.builder().responseTimeout(Duration.ofMillis(500)).build(),
                table(1, h2("grpc", grpc.target()), app("web", web.target())));

        List<String> events = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(grpcThrough(proxy), GrpcTestServer.WATCH, deadline(), "1500").forEachRemaining(events::add);
        assertThat(events).containsExactly("event");

        HttpResponse<String> held = fx.get(proxy, "web", "/hold");
        web.releaseHeld();
        assertThat(held.statusCode()).isEqualTo(504);
        assertThat(held.body()).contains("sent no response within 500ms");
    }

    @Test
    void anAppThatSetsAResponseTimeoutHasItsGrpcCallsTimedToo() throws Exception {
        GrpcTestServer grpc = fx.closing(new GrpcTestServer("g1"));
        EdgeProxy proxy = fx.proxy("iad", table(1, Routes.responseTimeout(h2("grpc", grpc.target()), Duration.ofMillis(500))));

        // The edge's 504 reaches the gRPC client as UNAVAILABLE (gRPC's mapping of HTTP 504).
        assertThatThrownBy(() -> ClientCalls.blockingServerStreamingCall(grpcThrough(proxy), GrpcTestServer.WATCH, deadline(), "1500")
                .forEachRemaining(e -> { }))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(proxy.metrics().registry().find("outpost.proxy.upstream.response.timeouts").counter().count()).isEqualTo(1);
    }
}
