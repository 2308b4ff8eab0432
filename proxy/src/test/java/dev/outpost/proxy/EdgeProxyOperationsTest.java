package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.limited;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.proxy.control.HttpProbe;
import dev.outpost.proxy.control.Peer;
import dev.outpost.proxy.control.PeerProber;
import dev.outpost.proxy.control.ProbeListener;
import dev.outpost.proxy.testing.AccessLines;
import dev.outpost.proxy.testing.Curl;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawHttp;
import dev.outpost.proxy.testing.Routes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 4 item 6: the admin listener's Prometheus metrics and the JSON access log. */
class EdgeProxyOperationsTest {
    private final ProxyFixture fx = new ProxyFixture();
    private final AccessLines accessLines = new AccessLines();

    @AfterEach
    void tearDown() throws Exception {
        accessLines.close();
        fx.close();
    }

    private EdgeProxy proxyWithAdmin(InstanceServer... instances) {
        var targets = java.util.Arrays.stream(instances).map(InstanceServer::target).toArray(dev.outpost.core.api.RoutingTable.Target[]::new);
        return fx.proxy(new ProxyConfig("ams", "127.0.0.1", 0).withAdmin("127.0.0.1", 0), table(1, app("hello", targets)));
    }

    private HttpResponse<String> admin(EdgeProxy proxy, String path) throws Exception {
        return fx.client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusMetricsOfTheRequestsItRouted() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        EdgeProxy proxy = proxyWithAdmin(ams, iad);
        fx.get(proxy, "hello", "/");
        fx.get(proxy, "hello", "/");
        fx.get(proxy, "hello", "/", "Outpost-Force-Region", "iad");
        fx.get(proxy, "nope", "/");

        HttpResponse<String> metrics = admin(proxy, "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body())
                .containsPattern("outpost_proxy_requests_total\\{app=\"hello\",edge=\"ams\",region=\"ams\",status=\"200\"} 2\\.0")
                .containsPattern("outpost_proxy_requests_total\\{app=\"hello\",edge=\"ams\",region=\"iad\",status=\"200\"} 1\\.0")
                .containsPattern("outpost_proxy_requests_total\\{app=\"none\",edge=\"ams\",region=\"none\",status=\"404\"} 1\\.0")
                .containsPattern("outpost_proxy_routing_decisions_total\\{app=\"hello\",edge=\"ams\",locality=\"local\"} 2\\.0")
                .containsPattern("outpost_proxy_routing_decisions_total\\{app=\"hello\",edge=\"ams\",locality=\"remote\"} 1\\.0")
                .containsPattern("outpost_proxy_request_duration_seconds_bucket\\{app=\"hello\",edge=\"ams\",le=\"[0-9.]+\"} 3")
                .contains("outpost_proxy_request_duration_seconds_count{app=\"hello\",edge=\"ams\"} 3")
                // The client keeps its connection open for the next request.
                .containsPattern("outpost_proxy_connections\\{edge=\"ams\"} [1-9][0-9]*\\.0");
        assertThat(admin(proxy, "/healthz").body()).isEqualTo("ok\n");
        assertThat(admin(proxy, "/other").statusCode()).isEqualTo(404);
    }

    @Test
    void servesThePeerRoundTripsAndTheQueueWaitHistogram() throws Exception {
        InstanceServer hello = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = fx.proxy(new ProxyConfig("ams", "127.0.0.1", 0).withAdmin("127.0.0.1", 0),
                table(1, limited("hello", 1, 1, "requests", hello.target())));
        // Real probes: one peer answering on loopback, one on a port nothing listens on.
        ProbeListener peer = fx.closing(ProbeListener.bind("127.0.0.1", 0));
        PeerProber prober = fx.closing(new PeerProber("ams", new HttpProbe(Duration.ofSeconds(1)), Duration.ofSeconds(2), () -> { }));
        prober.peers(List.of(new Peer("iad-edge", "iad", peer.address()), new Peer("syd-edge", "syd",
                new InetSocketAddress("127.0.0.1", Routes.dead("x", "syd").port()))));
        prober.reportTo(proxy.metrics());
        prober.probeOnce();
        prober.probeOnce();
        // One request waits while the only instance holds its one slot.
        CompletableFuture<HttpResponse<String>> held = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> hello.held() == 1);
        CompletableFuture<HttpResponse<String>> waiting = fx.getAsync(proxy, "hello", "/second");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.waiting("hello") == 1);
        hello.releaseHeld();
        assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        String metrics = admin(proxy, "/metrics").body();

        Matcher rtt = Pattern.compile("outpost_proxy_peer_rtt_seconds\\{edge=\"ams\",peer=\"iad-edge\",peer_region=\"iad\"} ([0-9.E-]+)")
                .matcher(metrics);
        assertThat(rtt.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(rtt.group(1))).as("a loopback round trip, in seconds").isGreaterThan(0).isLessThan(1.0);
        assertThat(metrics).as("an unreachable peer has no series").doesNotContain("peer=\"syd-edge\"");
        assertThat(metrics)
                .containsPattern("outpost_proxy_queue_wait_seconds_bucket\\{app=\"hello\",edge=\"ams\",outcome=\"served\",le=\"[0-9.]+\"} 1")
                .contains("outpost_proxy_queue_wait_seconds_count{app=\"hello\",edge=\"ams\",outcome=\"served\"} 1");
    }

    @Test
    void countsUpstreamConnectErrors() throws Exception {
        InstanceServer lax = fx.instance("hello-lax", "lax");
        EdgeProxy proxy = fx.proxy(new ProxyConfig("syd", "127.0.0.1", 0).withAdmin("127.0.0.1", 0),
                table(1, app("hello", dev.outpost.proxy.testing.Routes.dead("hello-syd", "syd"), lax.target())));

        assertThat(fx.get(proxy, "hello", "/").statusCode()).isEqualTo(200);

        assertThat(admin(proxy, "/metrics").body())
                .contains("outpost_proxy_upstream_connect_errors_total{app=\"hello\",edge=\"syd\",region=\"syd\"} 1.0");
    }

    @Test
    void writesOneJsonAccessLogLinePerRequest() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = proxyWithAdmin(ams);

        HttpResponse<String> response = fx.get(proxy, "hello", "/some/path?token=secret");
        fx.get(proxy, "nope", "/");

        assertThat(accessLines.size()).isEqualTo(2);
        JsonNode served = accessLines.get(0);
        assertThat(served.get("app").asText()).isEqualTo("hello");
        assertThat(served.get("method").asText()).isEqualTo("GET");
        assertThat(served.get("path").asText()).isEqualTo("/some/path");
        assertThat(served.get("status").asInt()).isEqualTo(200);
        assertThat(served.get("bytes").asLong()).isEqualTo(response.body().length());
        assertThat(served.get("durationMs").asLong()).isNotNegative();
        assertThat(served.get("instance").asText()).isEqualTo("hello-ams");
        assertThat(served.get("instanceRegion").asText()).isEqualTo("ams");
        assertThat(served.get("edgeRegion").asText()).isEqualTo("ams");
        assertThat(served.get("requestId").asText()).isEqualTo(response.headers().firstValue("Outpost-Request-Id").orElseThrow());
        assertThat(served.get("clientIp").asText()).isEqualTo("127.0.0.1");
        assertThat(served.get("time").asText()).isNotBlank();
        JsonNode unknown = accessLines.get(1);
        assertThat(unknown.get("status").asInt()).isEqualTo(404);
        assertThat(unknown.get("app").isNull()).isTrue();
        assertThat(unknown.get("instance").isNull()).isTrue();
    }

    @Test
    void theAccessLogSaysWhereEachRequestsTimeWent() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = fx.proxy(new ProxyConfig("ams", "127.0.0.1", 0), table(1, limited("hello", 1, 1, "requests", ams.target())));

        // The only slot goes to an app that thinks for a second; the second request waits for it in the queue.
        CompletableFuture<HttpResponse<String>> thinking = fx.getAsync(proxy, "hello", "/think?ms=1000");
        await().atMost(Duration.ofSeconds(5)).until(() -> ams.requests() == 1);
        CompletableFuture<HttpResponse<String>> queued = fx.getAsync(proxy, "hello", "/after");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.waiting("hello") == 1);
        assertThat(thinking.get().statusCode()).isEqualTo(200);
        assertThat(queued.get().statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLines.size() == 2);

        Map<String, JsonNode> byPath = new HashMap<>();
        for (int i = 0; i < accessLines.size(); i++) {
            byPath.put(accessLines.get(i).get("path").asText(), accessLines.get(i));
        }
        JsonNode slow = byPath.get("/think");
        assertThat(slow.get("protocol").asText()).isEqualTo("HTTP/1.1");
        assertThat(slow.get("waitMs").asLong()).isZero();
        assertThat(slow.get("waitedFor").isNull()).isTrue();
        assertThat(slow.get("connectMs").asLong()).isNotNegative().isLessThan(1000);
        // The app's second is in responseMs, and the edge's own part of durationMs is what is left.
        assertThat(slow.get("responseMs").asLong()).isBetween(1000L, slow.get("durationMs").asLong());
        assertThat(slow.get("attempts").asInt()).isEqualTo(1);
        assertThat(slow.get("userAgent").asText()).startsWith("Java-http-client");

        JsonNode waited = byPath.get("/after");
        // It came while the first was being worked on, and waited until that second was over.
        assertThat(waited.get("waitMs").asLong()).isBetween(500L, waited.get("durationMs").asLong());
        assertThat(waited.get("waitedFor").asText()).isEqualTo("slot");
        assertThat(waited.get("responseMs").asLong()).isLessThan(500);
        assertThat(waited.get("instance").asText()).isEqualTo("hello-ams");
    }

    @Test
    void theAccessLogNamesTheProtocolTheUserSpoke() throws Exception {
        Curl.require();
        InstanceServer ams = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = proxyWithAdmin(ams);
        String url = "http://hello:" + proxy.httpAddress().getPort() + "/";
        String resolve = "hello:" + proxy.httpAddress().getPort() + ":127.0.0.1";

        for (String version : List.of("--http2-prior-knowledge", "--http1.0")) {
            Curl.Result result = Curl.run("curl", "-sS", "--max-time", "10", version, "-A", "probe/" + version,
                    "--resolve", resolve, "-o", "/dev/null", "-w", "%{http_code}", url);
            assertThat(result.out()).as(result.err()).isEqualTo("200");
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> accessLines.size() == 2);
        JsonNode h2 = accessLines.get(0);
        assertThat(h2.get("protocol").asText()).isEqualTo("HTTP/2");
        assertThat(h2.get("userAgent").asText()).isEqualTo("probe/--http2-prior-knowledge");
        JsonNode http10 = accessLines.get(1);
        assertThat(http10.get("protocol").asText()).isEqualTo("HTTP/1.0");
    }

    @Test
    void theAccessLogCountsTheInstancesARequestTried() throws Exception {
        InstanceServer lax = fx.instance("hello-lax", "lax");
        EdgeProxy proxy = fx.proxy(new ProxyConfig("syd", "127.0.0.1", 0),
                table(1, app("hello", Routes.dead("hello-syd", "syd"), lax.target())));

        assertThat(fx.get(proxy, "hello", "/").statusCode()).isEqualTo(200);
        fx.get(proxy, "nope", "/");

        await().atMost(Duration.ofSeconds(5)).until(() -> accessLines.size() == 2);
        JsonNode retried = accessLines.get(0);
        // The local instance refused the connection; the request went on to the next region.
        assertThat(retried.get("attempts").asInt()).isEqualTo(2);
        assertThat(retried.get("instance").asText()).isEqualTo("hello-lax");
        assertThat(retried.get("connectMs").isNull()).isFalse();
        JsonNode unknown = accessLines.get(1);
        // Answered by the edge itself: nothing was tried, so there is no connection or response time to give.
        assertThat(unknown.get("attempts").asInt()).isZero();
        assertThat(unknown.get("connectMs").isNull()).isTrue();
        assertThat(unknown.get("responseMs").isNull()).isTrue();
    }

    @Test
    void aUserWhoLeavesBeforeTheResponseIsLogged499WithTheInstanceThatHadTheRequest() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = proxyWithAdmin(ams);

        try (RawHttp raw = new RawHttp(proxy.httpAddress())) {
            raw.send("GET /hold HTTP/1.1\r\nHost: hello\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> ams.held() == 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> accessLines.size() > 0);
        ams.releaseHeld();

        JsonNode left = accessLines.get(0);
        assertThat(left.get("status").asInt()).isEqualTo(499);
        // Which instance kept users waiting until they gave up is what an operator reads a 499 for.
        assertThat(left.get("instance").asText()).isEqualTo("hello-ams");
        assertThat(left.get("instanceRegion").asText()).isEqualTo("ams");
    }
}
