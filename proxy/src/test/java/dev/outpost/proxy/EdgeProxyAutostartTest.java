package dev.outpost.proxy;

import static dev.outpost.proxy.testing.ProxyFixture.echo;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.http.ProxyLimits;
import dev.outpost.proxy.testing.AccessLines;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.PatternedBody;
import dev.outpost.proxy.testing.ProxyFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Autostart over real sockets (issue 6, item 3): an app whose instances are all stopped has its requests held
 * while the edge asks, once, for the nearest stopped instance to start; they are served once a routing table
 * lists it. The control plane is a recording starter; the test plays the server by swapping tables in.
 */
class EdgeProxyAutostartTest {
    private final ProxyFixture fx = new ProxyFixture();
    private final List<String> starts = new CopyOnWriteArrayList<>();
    private final AccessLines accessLines = new AccessLines();

    @AfterEach
    void tearDown() throws Exception {
        accessLines.close();
        fx.close();
    }

    /** {@code hello} with no routable instance, autostart on, and stopped instances in iad (far from ams) and ams. */
    private static RoutingTable stopped(long index) {
        return table(index, new RoutingTable.AppRoute("hello", 20, 25, "requests", List.of(), 0, List.of(), false, null, true,
                List.of(new RoutingTable.Target("i-iad", "iad", "127.0.0.1", 0, 1), new RoutingTable.Target("i-ams", "ams", "127.0.0.1", 0, 1))));
    }

    private static RoutingTable started(long index, InstanceServer instance) {
        return table(index, new RoutingTable.AppRoute("hello", 20, 25, "requests", List.of(instance.target()), 0, List.of(), false,
                null, true, List.of(new RoutingTable.Target("i-iad", "iad", "127.0.0.1", 0, 1))));
    }

    private EdgeProxy proxy(ProxyLimits limits) {
        EdgeProxy proxy = fx.proxy("ams", limits, stopped(1));
        proxy.startInstancesWith((app, instanceId) -> {
            starts.add(app + "/" + instanceId);
            return CompletableFuture.completedFuture(null);
        });
        return proxy;
    }

    private static double count(EdgeProxy proxy, String name, String outcome) {
        var meters = proxy.metrics().registry().find(name);
        if (outcome != null) {
            var timer = meters.tag("outcome", outcome).timer();
            return timer == null ? 0 : timer.count();
        }
        var counter = meters.counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void concurrentRequestsShareOneStartOfTheNearestStoppedInstanceAndAreServedOnceItIsListed() throws Exception {
        EdgeProxy proxy = proxy(ProxyLimits.defaults());
        InstanceServer ams = fx.instance("hello-ams", "ams");

        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            held.add(fx.getAsync(proxy, "hello", "/"));
        }
        // A held POST: its body stays unread in the socket until the instance is there, then goes whole.
        long bytes = 3L * 1024 * 1024;
        CompletableFuture<HttpResponse<String>> upload = fx.client().sendAsync(fx.request(proxy, "hello", "/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternedBody(bytes, 7))).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.waiting("hello") == 13);

        assertThat(starts).containsExactly("hello/i-ams");
        assertThat(held).noneMatch(CompletableFuture::isDone);

        proxy.update(started(2, ams));

        for (CompletableFuture<HttpResponse<String>> response : held) {
            assertThat(response.get().statusCode()).isEqualTo(200);
            assertThat(echo(response.get())).containsEntry("instance", "hello-ams");
        }
        assertThat(echo(upload.get())).containsEntry("bytes", Long.toString(bytes))
                .containsEntry("sha256", PatternedBody.sha256(bytes, 7));
        assertThat(starts).hasSize(1);
        assertThat(count(proxy, "outpost.proxy.autostarts", null)).isEqualTo(1);
        assertThat(count(proxy, "outpost.proxy.autostart.hold", "served")).isEqualTo(13);
        assertThat(proxy.metrics().scrape()).contains("outpost_proxy_autostarts_total").contains("outpost_proxy_autostart_hold_seconds_bucket");
        assertThat(proxy.waiting("hello")).isZero();
        // Each line says the request waited for a start (a cold start), not for a slot.
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLines.size() == 13);
        for (int i = 0; i < accessLines.size(); i++) {
            assertThat(accessLines.get(i).get("waitedFor").asText()).isEqualTo("start");
            assertThat(accessLines.get(i).get("waitMs").asLong()).isBetween(0L, accessLines.get(i).get("durationMs").asLong());
        }
    }

    @Test
    void aStartThatDoesNotFinishInTimeIsAnswered503SayingTheInstancesAreStopped() throws Exception {
        EdgeProxy proxy = proxy(ProxyLimits.defaults().toBuilder().autostartTimeout(Duration.ofMillis(300)).build());

        HttpResponse<String> response = fx.get(proxy, "hello", "/");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("app hello has no running instance (its instances are stopped),"
                + " and starting one did not finish within 300ms\n");
        assertThat(count(proxy, "outpost.proxy.autostart.hold", "timeout")).isEqualTo(1);
        assertThat(starts).containsExactly("hello/i-ams");
        // A start that never showed up is forgotten after the timeout: a later request asks again.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(fx.get(proxy, "hello", "/").statusCode()).isEqualTo(503);
            assertThat(starts).containsExactly("hello/i-ams", "hello/i-ams");
        });
    }

    @Test
    void aStartTheServerRefusesIsAnswered503WithItsReasonAndTheNextRequestAsksAgain() throws Exception {
        EdgeProxy proxy = fx.proxy("ams", stopped(1));
        proxy.startInstancesWith((app, instanceId) -> {
            starts.add(instanceId);
            return CompletableFuture.failedFuture(new IllegalStateException("app hello is suspended"));
        });

        HttpResponse<String> response = fx.get(proxy, "hello", "/");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).endsWith("and starting one failed: app hello is suspended\n");

        assertThat(fx.get(proxy, "hello", "/").statusCode()).isEqualTo(503);
        assertThat(starts).containsExactly("i-ams", "i-ams");
    }

    @Test
    void withoutAutostartAnAppWithOnlyStoppedInstancesIsAnswered503AtOnce() throws Exception {
        EdgeProxy proxy = fx.proxy("ams", table(1, new RoutingTable.AppRoute("hello", 20, 25, "requests", List.of(), 0, List.of(),
                false, null, false, List.of())));
        proxy.startInstancesWith((app, instanceId) -> {
            starts.add(instanceId);
            return CompletableFuture.completedFuture(null);
        });

        HttpResponse<String> response = fx.get(proxy, "hello", "/");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("app hello has no healthy instance in any region\n");
        assertThat(starts).isEmpty();
    }
}
