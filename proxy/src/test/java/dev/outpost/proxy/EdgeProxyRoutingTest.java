package dev.outpost.proxy;

import static dev.outpost.proxy.testing.ProxyFixture.echo;
import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.limited;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.http.ProxyLimits;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.PatternedBody;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DESIGN §6 and §5 over real sockets: limits, queueing, spill, retries, replay, placement headers, drain. */
class EdgeProxyRoutingTest {
    private final ProxyFixture fx = new ProxyFixture();

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private static double queueWaits(EdgeProxy proxy, String outcome) {
        var timer = proxy.metrics().registry().find("outpost.proxy.queue.wait").tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void spillsToTheNearestRegionWhenTheLocalInstanceIsAtItsHardLimit() throws Exception {
        // From syd: lax 140 ms, iad 200 ms.
        InstanceServer syd = fx.instance("hello-syd", "syd");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        InstanceServer lax = fx.instance("hello-lax", "lax");
        EdgeProxy proxy = fx.proxy("syd", table(1, limited("hello", 1, 1, "requests", iad.target(), syd.target(), lax.target())));

        CompletableFuture<HttpResponse<String>> held = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> syd.held() == 1);

        assertThat(echo(fx.get(proxy, "hello", "/"))).containsEntry("instance", "hello-lax");
        syd.releaseHeld();
        assertThat(echo(held.get())).containsEntry("instance", "hello-syd");
        assertThat(echo(fx.get(proxy, "hello", "/"))).containsEntry("instance", "hello-syd");
        assertThat(iad.requests()).isZero();
    }

    @Test
    void overItsSoftLimitALocalInstanceStillServesAndOnlyItsHardLimitSendsRequestsToAnotherRegion() throws Exception {
        // From iad: ams is 75 ms away. Soft limit 1, hard limit 2.
        InstanceServer iad = fx.instance("hello-iad", "iad");
        InstanceServer ams = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = fx.proxy("iad", table(1, limited("hello", 1, 2, "requests", iad.target(), ams.target())));

        CompletableFuture<HttpResponse<String>> first = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> iad.held() == 1);
        // At its soft limit, under its hard limit: still a candidate, and the local region is left only without one.
        CompletableFuture<HttpResponse<String>> second = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> iad.held() == 2);
        assertThat(ams.requests()).isZero();

        // At its hard limit: the next request goes to the nearest other region rather than waiting.
        assertThat(echo(fx.get(proxy, "hello", "/"))).containsEntry("instance", "hello-ams");
        iad.releaseHeld();
        assertThat(echo(first.get())).containsEntry("instance", "hello-iad");
        assertThat(echo(second.get())).containsEntry("instance", "hello-iad");
        assertThat(queueWaits(proxy, "served")).isZero();
    }

    @Test
    void queuesWhenEveryInstanceIsAtItsHardLimitAndServesWhenOneFrees() throws Exception {
        InstanceServer hello = fx.instance("hello-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, limited("hello", 1, 1, "requests", hello.target())));
        CompletableFuture<HttpResponse<String>> held = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> hello.held() == 1);

        CompletableFuture<HttpResponse<String>> waiting = fx.getAsync(proxy, "hello", "/second");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.waiting("hello") == 1);
        assertThat(hello.requests()).isEqualTo(1);
        hello.releaseHeld();

        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(waiting.get().statusCode()).isEqualTo(200);
        assertThat(hello.requests()).isEqualTo(2);
        assertThat(queueWaits(proxy, "served")).isEqualTo(1);
    }

    @Test
    void answers503SayingTheAppIsAtCapacityWhenTheWaitEnds() throws Exception {
        InstanceServer hello = fx.instance("hello-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", ProxyLimits.builder().queueTimeout(Duration.ofMillis(200)).build(),
                table(1, limited("hello", 1, 1, "requests", hello.target())));
        CompletableFuture<HttpResponse<String>> held = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> hello.held() == 1);

        HttpResponse<String> refused = fx.get(proxy, "hello", "/");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).isEqualTo(
                "app hello is at capacity: its instance is at the hard limit of 1 requests, and none had room within 200ms\n");
        assertThat(hello.requests()).isEqualTo(1);
        assertThat(queueWaits(proxy, "timeout")).isEqualTo(1);
        hello.releaseHeld();
        assertThat(held.get().statusCode()).isEqualTo(200);
    }

    @Test
    void answers503AtOnceWhenTheQueueIsFull() throws Exception {
        InstanceServer hello = fx.instance("hello-1", "iad");
        EdgeProxy proxy = fx.proxy("iad", ProxyLimits.builder().queueLength(1).queueTimeout(Duration.ofSeconds(10)).build(),
                table(1, limited("hello", 1, 1, "requests", hello.target())));
        CompletableFuture<HttpResponse<String>> held = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> hello.held() == 1);
        CompletableFuture<HttpResponse<String>> waiting = fx.getAsync(proxy, "hello", "/");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.waiting("hello") == 1);

        HttpResponse<String> refused = fx.get(proxy, "hello", "/");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).endsWith("and 1 requests are already waiting\n");
        hello.releaseHeld();
        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(waiting.get().statusCode()).isEqualTo(200);
    }

    @Test
    void retriesAnIdempotentRequestWithoutBodyElsewhereWhenTheInstanceClosesWithoutAnswering() throws Exception {
        ServerSocket mute = mute();
        InstanceServer lax = fx.instance("hello-lax", "lax");
        EdgeProxy proxy = fx.proxy("syd", table(1, app("hello",
                new RoutingTable.Target("mute", "syd", "127.0.0.1", mute.getLocalPort(), 1), lax.target())));

        HttpResponse<String> response = fx.get(proxy, "hello", "/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(echo(response)).containsEntry("instance", "hello-lax");
    }

    @Test
    void neverRetriesAPostOnceItsBytesReachedAnInstance() throws Exception {
        ServerSocket mute = mute();
        InstanceServer lax = fx.instance("hello-lax", "lax");
        EdgeProxy proxy = fx.proxy("syd", table(1, app("hello",
                new RoutingTable.Target("mute", "syd", "127.0.0.1", mute.getLocalPort(), 1), lax.target())));

        HttpResponse<String> response = fx.post(proxy, "hello", "/upload", "payment=1".getBytes());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("instance mute").contains("closed the connection before the response ended");
        assertThat(lax.requests()).isZero();
    }

    /** A server that reads a little of each request and closes without answering. */
    private ServerSocket mute() throws IOException {
        ServerSocket silent = fx.closing(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try (Socket s = silent.accept()) {
                    s.getInputStream().read();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return silent;
    }

    @Test
    void replaysTheRequestAndItsBodyInTheRegionTheInstanceNames() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        ams.replayTo("region=iad");
        EdgeProxy proxy = fx.proxy("ams", table(1, app("hello", ams.target(), iad.target())));
        byte[] body = new PatternedBody(300_000, 7).readAllBytes();

        HttpResponse<String> response = fx.post(proxy, "hello", "/replay", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Outpost-Replay")).isEmpty();
        assertThat(echo(response)).containsEntry("instance", "hello-iad")
                .containsEntry("bytes", "300000")
                .containsEntry("sha256", PatternedBody.sha256(300_000, 7));
        assertThat(ams.requests()).isEqualTo(1);
        assertThat(iad.requests()).isEqualTo(1);
    }

    @Test
    void replaysTheRequestOnTheInstanceTheInstanceNames() throws Exception {
        InstanceServer a = fx.instance("hello-a", "iad");
        InstanceServer b = fx.instance("hello-b", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", a.target(), b.target())));
        a.replayTo("instance=hello-b");
        b.replayTo("instance=hello-a");

        HttpResponse<String> first = fx.get(proxy, "hello", "/replay", "Outpost-Force-Instance", "hello-a");
        b.replayTo(null);
        HttpResponse<String> second = fx.get(proxy, "hello", "/replay", "Outpost-Force-Instance", "hello-a");

        // b asked to go back to a: a replay never loops, so b's own answer comes through.
        assertThat(first.statusCode()).isEqualTo(409);
        assertThat(echo(first)).containsEntry("instance", "hello-b");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(echo(second)).containsEntry("instance", "hello-b");
        assertThat(a.requests()).isEqualTo(2);
        assertThat(b.requests()).isEqualTo(2);
    }

    @Test
    void passesTheInstancesAnswerOnWhenTheBodyIsTooLargeToReplay() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        ams.replayTo("region=iad");
        EdgeProxy proxy = fx.proxy("ams", ProxyLimits.builder().replayBodyLimit(1024).build(),
                table(1, app("hello", ams.target(), iad.target())));

        HttpResponse<String> response = fx.post(proxy, "hello", "/replay", new byte[4096]);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(echo(response)).containsEntry("instance", "hello-ams").containsEntry("replay", "region=iad");
        assertThat(iad.requests()).isZero();
    }

    @Test
    void triesThePreferredRegionFirstAndFallsBackWhenItHasNoInstance() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        EdgeProxy proxy = fx.proxy("ams", table(1, app("hello", ams.target(), iad.target())));

        Map<String, String> preferred = echo(fx.get(proxy, "hello", "/", "Outpost-Prefer-Region", "iad"));
        Map<String, String> fallback = echo(fx.get(proxy, "hello", "/", "Outpost-Prefer-Region", "syd"));

        assertThat(preferred).containsEntry("instance", "hello-iad").doesNotContainKey("h:outpost-prefer-region");
        assertThat(fallback).containsEntry("instance", "hello-ams");
    }

    @Test
    void forcesARegionAndAnswers503WhenItHasNoInstance() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        EdgeProxy proxy = fx.proxy("ams", table(1, app("hello", ams.target(), iad.target())));

        HttpResponse<String> forced = fx.get(proxy, "hello", "/", "Outpost-Force-Region", "iad");
        HttpResponse<String> nowhere = fx.get(proxy, "hello", "/", "Outpost-Force-Region", "syd");

        assertThat(echo(forced)).containsEntry("instance", "hello-iad").doesNotContainKey("h:outpost-force-region");
        assertThat(nowhere.statusCode()).isEqualTo(503);
        assertThat(nowhere.body()).isEqualTo("app hello has no healthy instance in region syd (Outpost-Force-Region)\n");
    }

    @Test
    void forcesAnInstanceAndAnswers503ForAnUnknownOne() throws Exception {
        InstanceServer a = fx.instance("hello-a", "iad");
        InstanceServer b = fx.instance("hello-b", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", a.target(), b.target())));

        for (int i = 0; i < 5; i++) {
            assertThat(echo(fx.get(proxy, "hello", "/", "Outpost-Force-Instance", "hello-b"))).containsEntry("instance", "hello-b");
        }
        HttpResponse<String> unknown = fx.get(proxy, "hello", "/", "Outpost-Force-Instance", "nope");

        assertThat(a.requests()).isZero();
        assertThat(unknown.statusCode()).isEqualTo(503);
        assertThat(unknown.body()).isEqualTo("app hello has no healthy instance nope (Outpost-Force-Instance)\n");
    }

    @Test
    void countsConnectionsAgainstTheLimitWhenTheAppCountsConnections() throws Exception {
        InstanceServer a = fx.instance("hello-a", "iad");
        InstanceServer b = fx.instance("hello-b", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, limited("hello", 1, 1, "connections", a.target(), b.target())));

        try (RawHttp first = new RawHttp(proxy.httpAddress()); RawHttp second = new RawHttp(proxy.httpAddress())) {
            String one = first.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().headers().get("instance");
            String two = second.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().headers().get("instance");
            String again = first.send("GET / HTTP/1.1\r\nHost: hello\r\n\r\n").read().headers().get("instance");

            // Each connection holds its instance's one slot: they cannot share, and keep what they got.
            assertThat(two).isNotEqualTo(one);
            assertThat(again).isEqualTo(one);
        }
    }

    @Test
    void aRemovedInstanceFinishesItsRequestsAndGetsNoNewOnes() throws Exception {
        InstanceServer old = fx.instance("hello-old", "iad");
        InstanceServer fresh = fx.instance("hello-new", "iad");
        EdgeProxy proxy = fx.proxy("iad", table(1, app("hello", old.target())));
        CompletableFuture<HttpResponse<String>> held = fx.getAsync(proxy, "hello", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> old.held() == 1);

        proxy.update(table(2, app("hello", fresh.target())));
        for (int i = 0; i < 3; i++) {
            assertThat(echo(fx.get(proxy, "hello", "/"))).containsEntry("instance", "hello-new");
        }
        old.releaseHeld();

        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(echo(held.get())).containsEntry("instance", "hello-old");
        assertThat(old.requests()).isEqualTo(1);
    }
}
