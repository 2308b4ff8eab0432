package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.dead;
import static dev.outpost.proxy.testing.Routes.table;
import static dev.outpost.proxy.testing.Routes.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.control.RouteWatcher;
import dev.outpost.proxy.testing.CannedInstance;
import dev.outpost.proxy.testing.Curl;
import dev.outpost.proxy.testing.FakeRoutesServer;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.RawHttp;
import dev.outpost.proxy.testing.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy over real sockets: routing, its own answers, forwarding headers, failover, lifecycle. */
class EdgeProxyTest {
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void tearDown() throws Exception {
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            c.close();
        }
        client.close();
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private InstanceServer instance(String name, String region) throws IOException {
        return closing(new InstanceServer(name, region));
    }

    private EdgeProxy proxy(String region, RoutingTable table) {
        EdgeProxy proxy = closing(new EdgeProxy(new ProxyConfig(region, "127.0.0.1", 0)));
        proxy.start();
        proxy.update(table);
        return proxy;
    }

    private HttpResponse<String> get(EdgeProxy proxy, String host, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + path))
                .header("Host", host)
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The instance's echo: {@code instance} and {@code h:<header>} keys. */
    private static Map<String, String> echo(HttpResponse<String> response) {
        return response.body().lines().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    }

    @Test
    void routesByHostHeader() throws Exception {
        InstanceServer hello = instance("hello-1", "iad");
        InstanceServer world = instance("world-1", "iad");
        EdgeProxy proxy = proxy("iad", table(1, app("hello", hello.target()), app("world", world.target())));

        assertThat(echo(get(proxy, "hello.outpost.localhost:8080", "/"))).containsEntry("instance", "hello-1");
        assertThat(echo(get(proxy, "WORLD.outpost.localhost", "/"))).containsEntry("instance", "world-1");
        assertThat(echo(get(proxy, "world", "/"))).containsEntry("instance", "world-1");
    }

    private static double rejected(EdgeProxy proxy, String reason) {
        var counter = proxy.metrics().registry().find("outpost.proxy.rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void appendsItsCdnLoopIdToTheEntriesTheClientSent() throws Exception {
        InstanceServer hello = instance("hello-1", "syd");
        EdgeProxy proxy = proxy("syd", table(1, app("hello", hello.target())));

        assertThat(echo(get(proxy, "hello", "/"))).containsEntry("h:cdn-loop", "outpost");
        assertThat(echo(get(proxy, "hello", "/", "CDN-Loop", "cloudflare; v=1, fastly")))
                .containsEntry("h:cdn-loop", "cloudflare; v=1, fastly, outpost");
        // Four passes through Outpost's edges before this one (in any case, with parameters): still served.
        HttpResponse<String> fourth = get(proxy, "hello", "/", "CDN-Loop", "outpost, fastly, OUTPOST;edge=iad, outpost , outpost");
        assertThat(fourth.statusCode()).isEqualTo(200);
        assertThat(echo(fourth)).containsEntry("h:cdn-loop", "outpost, fastly, OUTPOST;edge=iad, outpost , outpost, outpost");
        assertThat(hello.requests()).isEqualTo(3);
        assertThat(rejected(proxy, "loop")).isZero();
    }

    @Test
    void answers508ToARequestThatPassedOutpostsEdgesFiveTimesAndSendsNothingOn() throws Exception {
        InstanceServer hello = instance("hello-1", "syd");
        EdgeProxy proxy = proxy("syd", table(1, app("hello", hello.target())));

        HttpResponse<String> response = get(proxy, "hello", "/", "CDN-Loop", "outpost, outpost, fastly, outpost; x=1, outpost, Outpost");

        assertThat(response.statusCode()).isEqualTo(508);
        assertThat(response.body()).startsWith("loop detected: this request already passed through Outpost's edges 5 times (CDN-Loop); "
                + "an app probably forwards requests to its own address");
        assertThat(response.headers().firstValue("Outpost-Request-Id")).isPresent();
        assertThat(hello.requests()).isZero();
        assertThat(rejected(proxy, "loop")).isEqualTo(1);
    }

    @Test
    void anInstanceAddressLeadingBackToTheEdgeEndsIn508InsteadOfFillingTheInstance() throws Exception {
        EdgeProxy proxy = proxy("syd", table(1));
        int port = proxy.httpAddress().getPort();
        // The "instance" is the edge itself: each pass forwards the request to the edge again, one more "outpost" in its CDN-Loop.
        proxy.update(table(2, app("hello", target("hello-loop", "syd", port))));

        HttpResponse<String> response = get(proxy, "hello", "/");

        // The sixth arrival is refused, and each pass before it relays that answer back. Without CDN-Loop the passes
        // went on up to the instance's hard limit (25) and the last waited in the queue: a 503 after 2 s.
        assertThat(response.statusCode()).isEqualTo(508);
        assertThat(response.body()).contains("already passed through Outpost's edges 5 times");
        assertThat(rejected(proxy, "loop")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> proxy.routes().app("hello").orElseThrow().instance("hello-loop").orElseThrow().inFlight() == 0);
    }

    @Test
    void curlOverHttp11ResolvingTheHostToEachRegionsEdgeIsServedInThatRegion() throws Exception {
        Curl.require();
        InstanceServer iad = instance("hello-iad", "iad");
        InstanceServer ams = instance("hello-ams", "ams");
        var routes = table(1, app("hello", iad.target(), ams.target()));
        EdgeProxy iadEdge = proxy("iad", routes);
        EdgeProxy amsEdge = proxy("ams", routes);

        for (EdgeProxy edge : List.of(iadEdge, amsEdge)) {
            int port = edge.httpAddress().getPort();
            String region = edge == iadEdge ? "iad" : "ams";
            // As a user near that region's edge: the app's name resolves there (anycast in production).
            Curl.Result result = Curl.run("curl", "-sS", "--http1.1", "--max-time", "10", "-i",
                    "--resolve", "hello.outpost.localhost:" + port + ":127.0.0.1", "http://hello.outpost.localhost:" + port + "/where");

            assertThat(result.exit()).as(result.err()).isZero();
            assertThat(result.out()).startsWith("HTTP/1.1 200").containsIgnoringCase("outpost-request-id: ")
                    .contains("instance=hello-" + region).contains("h:outpost-region=" + region).contains("h:host=hello.outpost.localhost");
        }
        assertThat(iad.requests()).isEqualTo(1);
        assertThat(ams.requests()).isEqualTo(1);
    }

    @Test
    void prefersItsOwnRegion() throws Exception {
        InstanceServer iad = instance("hello-iad", "iad");
        InstanceServer ams = instance("hello-ams", "ams");
        EdgeProxy proxy = proxy("ams", table(1, app("hello", iad.target(), ams.target())));

        for (int i = 0; i < 10; i++) {
            assertThat(echo(get(proxy, "hello", "/"))).containsEntry("instance", "hello-ams");
        }
        assertThat(iad.requests()).isZero();
    }

    @Test
    void fallsBackToTheNearestOtherRegionByRoundTripTime() throws Exception {
        // Seen from syd: lax 140 ms, iad 200 ms, ams 275 ms.
        InstanceServer ams = instance("hello-ams", "ams");
        InstanceServer iad = instance("hello-iad", "iad");
        InstanceServer lax = instance("hello-lax", "lax");
        EdgeProxy proxy = proxy("syd", table(1, app("hello", ams.target(), iad.target(), lax.target())));

        assertThat(echo(get(proxy, "hello", "/"))).containsEntry("instance", "hello-lax");

        proxy.update(table(2, app("hello", ams.target(), iad.target())));
        assertThat(echo(get(proxy, "hello", "/"))).containsEntry("instance", "hello-iad");

        proxy.update(table(3, app("hello", ams.target())));
        assertThat(echo(get(proxy, "hello", "/"))).containsEntry("instance", "hello-ams");
    }

    @Test
    void answers404ForAnUnknownHostAnd503ForAnAppWithoutInstances() throws Exception {
        EdgeProxy proxy = proxy("iad", table(1, app("idle")));

        HttpResponse<String> unknown = get(proxy, "hello.outpost.localhost:8080", "/");
        HttpResponse<String> idle = get(proxy, "idle.outpost.localhost", "/");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("no app is deployed at hello.outpost.localhost\n");
        assertThat(unknown.headers().firstValue("Content-Length")).hasValue("46");
        assertThat(idle.statusCode()).isEqualTo(503);
        assertThat(idle.body()).isEqualTo("app idle has no healthy instance in any region\n");
    }

    @Test
    void errorAnswersKeepTheConnectionAndMalformedRequestsCloseIt() throws Exception {
        EdgeProxy proxy = proxy("iad", table(1));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            assertThat(raw.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("no app is deployed at a\n");
            assertThat(raw.send("GET / HTTP/1.1\r\nHost: b\r\n\r\n").read().body()).isEqualTo("no app is deployed at b\n");
            RawHttp.Response bad = raw.send("GET / HTTP/1.1\r\nHost: c\r\nContent-Length: x\r\n\r\n").read();
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.headers()).containsEntry("connection", "close");
            assertThat(raw.closedByPeer()).isTrue();
        }
    }

    @Test
    void passesAResponseOnWithoutItsHopByHopHeadersWhetherItIsRewrittenAsBytesOrDecoded() throws Exception {
        // Plainly framed: rewritten as bytes (RawResponse).
        String plain = "HTTP/1.1 200 OK\r\nX-App: 1\r\ncontent-length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nTrailer: X-Sum\r\nOutpost-Request-Id: forged\r\n\r\nhello";
        // Connection naming a header of its own, which goes too: decoded.
        String naming = plain.replace("Connection: keep-alive", "Connection: keep-alive, X-App");
        CannedInstance canned = closing(new CannedInstance("canned-1", "syd", plain));
        EdgeProxy proxy = proxy("syd", table(1, app("canned", canned.target())));

        for (String answer : List.of(plain, naming, plain)) {
            canned.answer(answer);
            HttpResponse<String> response = get(proxy, "canned.outpost.localhost", "/");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
            for (String hop : List.of("Connection", "Keep-Alive", "Proxy-Connection", "Upgrade", "Trailer")) {
                assertThat(response.headers().firstValue(hop)).as(hop).isEmpty();
            }
            assertThat(response.headers().allValues("Outpost-Request-Id")).hasSize(1).doesNotContain("forged");
            assertThat(response.headers().allValues("X-App")).isEqualTo(answer.equals(plain) ? List.of("1") : List.of());
        }
    }

    @Test
    void aConnectionWhoseInstanceSentBytesAfterTheResponseIsNotUsedAgain() throws Exception {
        // Kept, the junk would be read as the start of the next response, perhaps another user's.
        CannedInstance canned = closing(new CannedInstance("canned-1", "syd", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK"));
        EdgeProxy proxy = proxy("syd", table(1, app("canned", canned.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response response = raw.send("GET / HTTP/1.1\r\nHost: canned\r\n\r\n").read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("ok");
            }
        }
        assertThat(canned.connections()).isEqualTo(3);
    }

    @Test
    void aResponseWithoutAValidStatusLineIsA502AtOnce() throws Exception {
        CannedInstance canned = closing(new CannedInstance("canned-1", "syd", "FOO\r\n\r\n"));
        EdgeProxy proxy = proxy("syd", table(1, app("canned", canned.target())));

        for (String answer : List.of("FOO\r\n\r\n", "HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nok")) {
            canned.answer(answer);
            long start = System.nanoTime();
            try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
                RawHttp.Response response = raw.send("GET / HTTP/1.1\r\nHost: canned\r\n\r\n").read();
                assertThat(response.status()).as(answer).isEqualTo(502);
                assertThat(response.body()).as(answer).contains("sent a malformed response");
            }
            // A head too short for the edge's fast path once waited for bytes that never came.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(answer).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void responseHeadersUpTo32KiBPassAndLargerOnesAreA502SayingSo() throws Exception {
        String big = "HTTP/1.1 200 OK\r\nContent-Security-Policy: " + "a".repeat(20_000) + "\r\nContent-Length: 2\r\n\r\nok";
        CannedInstance canned = closing(new CannedInstance("canned-1", "syd", big));
        EdgeProxy proxy = proxy("syd", table(1, app("canned", canned.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            // Netty's default limit, 8 KiB, made this a 502.
            RawHttp.Response response = raw.send("GET / HTTP/1.1\r\nHost: canned\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().get("content-security-policy")).hasSize(20_000);
            assertThat(response.body()).isEqualTo("ok");

            canned.answer(big.replace("a".repeat(20_000), "a".repeat(40_000)));
            response = raw.send("GET / HTTP/1.1\r\nHost: canned\r\n\r\n").read();
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).contains("sent response headers larger than 32 KiB");
        }
    }

    @Test
    void a101ToARequestThatAskedForNoUpgradeIsA502AndTheUserNeverSeesIt() throws Exception {
        CannedInstance canned = closing(new CannedInstance("canned-1", "syd", "HTTP/1.1 101 Switching Protocols\r\n\r\nbytes"));
        EdgeProxy proxy = proxy("syd", table(1, app("canned", canned.target())));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            RawHttp.Response response = raw.send("GET / HTTP/1.1\r\nHost: canned\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).contains("answered 101 Switching Protocols to a request that asked for no upgrade");
        }
    }

    @Test
    void anInstanceThatSendsNoResponseWithinTheResponseTimeoutIsA504AndTheUsersConnectionGoesOn() throws Exception {
        InstanceServer hello = instance("hello-1", "syd");
        EdgeProxy proxy = proxy("syd", table(1, Routes.responseTimeout(app("hello", hello.target()), Duration.ofMillis(500))));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            long start = System.nanoTime();
            RawHttp.Response response = raw.send("GET /hold HTTP/1.1\r\nHost: hello\r\n\r\n").read();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.status()).isEqualTo(504);
            assertThat(response.body()).contains("upstream instance hello-1", "sent no response within 500ms",
                    "response_timeout in [services.http_options]");
            assertThat(waited).isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
            assertThat(response.headers()).doesNotContainKey("connection");
            // The request was read whole, so the connection carries the next one.
            hello.releaseHeld();
            assertThat(raw.send("GET /next HTTP/1.1\r\nHost: hello\r\n\r\n").read().body()).contains("uri=/next\n");
        }
        assertThat(proxy.metrics().registry().get("outpost.proxy.upstream.response.timeouts").tag("app", "hello").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void aResponseThatComesInTimeIsNotCutByTheTimerOfAnEarlierRequestOnTheConnection() throws Exception {
        InstanceServer hello = instance("hello-1", "syd");
        EdgeProxy proxy = proxy("syd", table(1, Routes.responseTimeout(app("hello", hello.target()), Duration.ofMillis(600))));

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            // The first request arms the connection's timer for 600 ms from now.
            assertThat(raw.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().status()).isEqualTo(200);
            Thread.sleep(400);
            // This one is answered 400 ms after it reached the instance: after the first timer fires, before its own deadline.
            Thread releaser = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hello.releaseHeld();
            });
            RawHttp.Response response = raw.send("GET /hold HTTP/1.1\r\nHost: hello\r\n\r\n").read();
            releaser.join();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("uri=/hold\n");
        }
    }

    @Test
    void anHttp10UserGetsNoInterimResponsesAndItsExpectIsIgnored() throws Exception {
        CannedInstance hints = closing(new CannedInstance("canned-1", "syd",
                "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        InstanceServer hello = instance("hello-1", "syd");
        EdgeProxy proxy = proxy("syd", table(1, app("canned", hints.target()), app("hello", hello.target())));

        // RFC 9110 §15.2: no 1xx to an HTTP/1.0 user; an HTTP/1.1 user gets the early hints.
        assertThat(exchange(proxy, "GET / HTTP/1.0\r\nHost: canned\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        assertThat(exchange(proxy, "GET / HTTP/1.1\r\nHost: canned\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 103 Early Hints\r\n").contains("\r\n\r\nHTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        // RFC 9110 §10.1.1: an HTTP/1.0 request's 100-continue is ignored, so the instance is not asked for a 100 either.
        String answer = exchange(proxy, "POST / HTTP/1.0\r\nHost: hello\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("instance=hello-1\n").doesNotContain("100 Continue", "h:expect=");
    }

    /** Sends {@code request} on a new connection and reads until the edge closes it. */
    private static String exchange(EdgeProxy proxy, String request) throws IOException {
        try (Socket socket = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void replacesClientSentForwardingHeaders() throws Exception {
        InstanceServer hello = instance("hello-1", "syd");
        EdgeProxy proxy = proxy("syd", table(1, app("hello", hello.target())));

        HttpResponse<String> response = get(proxy, "hello.outpost.localhost", "/",
                "Outpost-Client-IP", "6.6.6.6", "Outpost-Region", "fake", "Outpost-Request-Id", "mine",
                "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example",
                "Via", "1.0 elsewhere");

        Map<String, String> seen = echo(response);
        assertThat(seen).containsEntry("h:outpost-client-ip", "127.0.0.1")
                .containsEntry("h:outpost-region", "syd")
                .containsEntry("h:x-forwarded-for", "127.0.0.1")
                .containsEntry("h:x-forwarded-proto", "http")
                .containsEntry("h:x-forwarded-port", Integer.toString(proxy.httpAddress().getPort()))
                .containsEntry("h:x-forwarded-host", "hello.outpost.localhost")
                .containsEntry("h:via", "1.1 outpost");
        String requestId = seen.get("h:outpost-request-id");
        assertThat(requestId).isNotEqualTo("mine").hasSize(20);
        assertThat(response.headers().allValues("Outpost-Request-Id")).containsExactly(requestId);
    }

    @Test
    void retriesAConnectFailureOnAnotherInstance() throws Exception {
        InstanceServer lax = instance("hello-lax", "lax");
        EdgeProxy proxy = proxy("syd", table(1, app("hello", dead("hello-syd", "syd"), lax.target())));

        HttpResponse<String> first = get(proxy, "hello", "/");
        HttpResponse<String> second = get(proxy, "hello", "/");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(echo(first)).containsEntry("instance", "hello-lax");
        assertThat(echo(second)).containsEntry("instance", "hello-lax");
        assertThat(lax.requests()).isEqualTo(2);
        // Passive health: the local instance that refused is ejected, so the second request did not try it first.
        assertThat(proxy.routes().app("hello").orElseThrow().instance("hello-syd").orElseThrow().isEjected(System.nanoTime())).isTrue();
        assertThat(proxy.metrics().registry().find("outpost.proxy.upstream.connect.errors").counter().count()).isEqualTo(1);
    }

    @Test
    void answers502NamingTheInstancesThatFailed() throws Exception {
        RoutingTable.Target syd = dead("hello-syd", "syd");
        RoutingTable.Target iad = dead("hello-iad", "iad");
        EdgeProxy proxy = proxy("syd", table(1, app("hello", syd, iad)));

        HttpResponse<String> response = get(proxy, "hello", "/");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body())
                .startsWith("upstream instance hello-syd (127.0.0.1:" + syd.port() + ") in syd failed: ")
                .contains("; instance hello-iad (127.0.0.1:" + iad.port() + ") in iad failed: ")
                .endsWith("\n");
    }

    @Test
    void answers502WhenTheInstanceClosesWithoutAnswering() throws Exception {
        ServerSocket silent = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try (Socket s = silent.accept()) {
                    s.getInputStream().read();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        EdgeProxy proxy = proxy("iad", table(1, app("hello", new RoutingTable.Target("mute", "iad", "127.0.0.1", silent.getLocalPort(), 1))));

        HttpResponse<String> response = get(proxy, "hello", "/");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("instance mute").contains("closed the connection before the response ended");
    }

    @Test
    void passesOnABodyTheInstanceEndsByClosing() throws Exception {
        ServerSocket old = closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().start(() -> {
            while (!old.isClosed()) {
                try (Socket s = old.accept()) {
                    InputStream in = s.getInputStream();
                    // Read the request head, then answer the HTTP/1.0 way: no length, end of body = close.
                    String head = "";
                    while (!head.endsWith("\r\n\r\n")) {
                        head += (char) in.read();
                    }
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        EdgeProxy proxy = proxy("iad", table(1, app("hello", new RoutingTable.Target("old", "iad", "127.0.0.1", old.getLocalPort(), 1))));

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get(proxy, "hello", "/");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("until the end");
        }
    }

    @Test
    void refusesToStartOnAnAddressInUse() {
        EdgeProxy first = proxy("iad", table(1));
        int port = first.httpAddress().getPort();
        EdgeProxy second = closing(new EdgeProxy(new ProxyConfig("iad", "127.0.0.1", port)));

        assertThatThrownBy(second::start)
                .isInstanceOf(ProxyException.class)
                .hasMessage("address in use: 127.0.0.1:" + port);
    }

    @Test
    void closeLetsARequestInFlightFinish() throws Exception {
        InstanceServer hello = instance("hello-1", "iad");
        EdgeProxy proxy = proxy("iad", table(1, app("hello", hello.target())));
        InetSocketAddress address = proxy.httpAddress();
        CompletableFuture<HttpResponse<String>> held = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/hold")).header("Host", "hello").build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> hello.held() == 1);

        Thread closer = Thread.ofVirtual().start(proxy::close);
        await().atMost(Duration.ofSeconds(5)).until(() -> refusesConnections(address));
        assertThat(held).isNotDone();
        hello.releaseHeld();

        HttpResponse<String> response = held.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echo(response)).containsEntry("instance", "hello-1");
        assertThat(closer.join(Duration.ofSeconds(10))).isTrue();
    }

    private static boolean refusesConnections(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    @Test
    void keepsRoutingOnTheLastTableWhileTheServerIsDown() throws Exception {
        InstanceServer hello = instance("hello-1", "iad");
        FakeRoutesServer server = closing(new FakeRoutesServer());
        server.publish(table(1, app("hello", hello.target())));
        EdgeProxy proxy = proxy("iad", table(0));
        closing(new RouteWatcher(server.api(), FakeRoutesServer.TOKEN, proxy::update)).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> get(proxy, "hello", "/").statusCode() == 200);

        server.failing(true);
        server.publish(table(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.calls().stream().anyMatch(c -> c.status() == 500));

        assertThat(echo(get(proxy, "hello", "/"))).containsEntry("instance", "hello-1");
    }
}
