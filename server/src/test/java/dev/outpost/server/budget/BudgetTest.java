package dev.outpost.server.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Json;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.server.MutableClock;
import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.auth.AdminToken;
import dev.outpost.server.meter.Prices;
import dev.outpost.store.Store;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meter, budgets, suspension and webhooks against a real server on port 0 with a clock the test
 * moves: hours and a month boundary pass in milliseconds. No host is registered, so the scheduler
 * places nothing and the test plays the agent, reporting its instances into the store.
 */
class BudgetTest {
    /** One dollar per thousand seconds of shared-1x: easy sums. */
    static final double PRICE = 0.001;
    static final Instant START = Instant.parse("2026-11-10T00:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(START);
    Store store;
    OutpostServer server;
    String token;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        store = Store.open(dir.resolve("outpost.db").toString());
        token = AdminToken.ensure(store, dir);
        startServer();
        store.createApp("hello", "iad", START);
        store.setScale("hello", Map.of("iad", 2));
        AppConfig config = new AppConfig("hello", "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(), List.of(), null,
                null, new AppConfig.Vm("shared-1x"), null);
        store.createRelease("hello", "sha256:" + "a".repeat(64), config, START, START.plusSeconds(600));
        store.scheduling().activate("hello", 1, "v1 is serving", List.of());
        for (String id : List.of("i1", "i2")) {
            store.insertInstance(new Instance(id, "hello", 1, "iad", "iad-1", null, null, InstanceState.CREATED, DesiredState.RUNNING,
                    Health.UNKNOWN, null, null, 0, List.of(), START, START));
        }
        store.setDesired("i2", DesiredState.STOPPED);
        report("i1", InstanceState.STARTED);
    }

    void startServer() throws Exception {
        server = new OutpostServer(new ServerConfig("127.0.0.1", 0, dir, List.of("iad", "syd", "ams"), null,
                new Prices(Map.of("shared-1x", PRICE))), store, clock);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
        http.close();
    }

    void report(String id, InstanceState state) {
        store.applyReport(id, new InstanceReport(state, state == InstanceState.STARTED ? Health.PASSING : Health.UNKNOWN,
                "127.1.1.1", 20000, null, null, 0, List.of()), clock.instant());
    }

    HttpResponse<String> call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.mapper().writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return Json.mapper().readTree(r.body());
    }

    List<String> kinds() throws Exception {
        List<String> out = new ArrayList<>();
        json(call("GET", "/v1/apps/hello/events?since=0", null)).path("events").forEach(e -> out.add(e.path("kind").asText()));
        return out;
    }

    JsonNode suspendedRoute() throws Exception {
        return json(call("GET", "/v1/routes", null)).path("apps").get(0).path("suspended");
    }

    @Test
    void spendMatchesRunTimeAcrossAServerRestart() throws Exception {
        clock.advance(Duration.ofHours(10));
        server.close();
        startServer();
        clock.advance(Duration.ofHours(5));
        report("i1", InstanceState.STOPPED);
        clock.advance(Duration.ofHours(2));

        JsonNode budget = json(call("GET", "/v1/apps/hello/budget", null));
        double expected = 15 * 3600 * PRICE;
        assertThat(budget.path("spentUsd").asDouble()).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(budget.path("usdPerSecond").asDouble()).isZero();
        assertThat(budget.path("month").asText()).isEqualTo("2026-11");
    }

    @Test
    void reportsChargeFromWhenTheAgentSawTheChangeAndADestroyedInstanceStopsBeingCharged() throws Exception {
        // i2 is seen started at +100 s, but the report reaches the server only at +400 s (a slow server).
        store.setDesired("i2", DesiredState.RUNNING);
        clock.advance(Duration.ofSeconds(400));
        HttpResponse<String> late = call("PUT", "/v1/instances/i2/report", new InstanceReport(InstanceState.STARTED, Health.PASSING,
                "127.1.1.1", 20001, null, null, 0, List.of(), START.plusSeconds(100)));
        assertThat(late.statusCode()).as(late.body()).isEqualTo(204);
        // i2 is destroyed: the agent saw it gone at +500 s, and the report that says so deletes the row.
        store.setDesired("i2", DesiredState.DESTROYED);
        clock.advance(Duration.ofSeconds(200));
        HttpResponse<String> gone = call("PUT", "/v1/instances/i2/report", new InstanceReport(InstanceState.DESTROYED, Health.UNKNOWN,
                null, null, null, null, 0, List.of(), START.plusSeconds(500)));
        assertThat(gone.statusCode()).as(gone.body()).isEqualTo(204);
        assertThat(store.findInstance("i2")).isEmpty();
        clock.advance(Duration.ofSeconds(10_000));

        JsonNode budget = json(call("GET", "/v1/apps/hello/budget", null));
        // i1 ran all 10,600 s; i2 from +100 to +500 s.
        assertThat(budget.path("spentUsd").asDouble()).isCloseTo((10_600 + 400) * PRICE, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(budget.path("usdPerSecond").asDouble()).isEqualTo(PRICE);
    }

    @Test
    void deletingTheAppForgetsItsBudgetAndSpend() throws Exception {
        json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 10)));
        clock.advance(Duration.ofSeconds(1000));
        assertThat(call("DELETE", "/v1/apps/hello", null).statusCode()).isBetween(200, 299);
        store.createApp("hello", "iad", clock.instant());

        JsonNode fresh = json(call("GET", "/v1/apps/hello/budget", null));
        assertThat(fresh.path("monthlyUsd").isNull()).isTrue();
        assertThat(fresh.path("spentUsd").asDouble()).isZero();
    }

    @Test
    void thresholdsAnnounceOnceSuspensionStopsAndRefusesAndTheNextMonthRestoresExactly() throws Exception {
        assertThat(json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 10))).path("monthlyUsd").asDouble()).isEqualTo(10);
        clock.advance(Duration.ofSeconds(5000));
        await().atMost(Duration.ofSeconds(10)).until(() -> kinds().contains("budget.50"));
        clock.advance(Duration.ofSeconds(3000));
        await().atMost(Duration.ofSeconds(10)).until(() -> kinds().contains("budget.80"));
        assertThat(suspendedRoute().isNull()).isTrue();
        clock.advance(Duration.ofSeconds(2000));
        await().atMost(Duration.ofSeconds(10)).until(() -> kinds().contains("budget.suspended"));
        server.budgets().check();
        server.budgets().check();
        assertThat(kinds()).containsExactly("budget.50", "budget.80", "budget.100", "budget.suspended");

        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(store.findInstance("i2").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(suspendedRoute().asText())
                .isEqualTo("monthly budget of $10.00 reached for hello; it resumes on 2026-12-01 00:00 UTC or when the budget is raised (outpost budget set)");
        HttpResponse<String> deploy = call("POST", "/v1/apps/hello/releases", "{}");
        assertThat(deploy.statusCode()).isEqualTo(409);
        assertThat(deploy.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
        assertThat(deploy.body()).contains("monthly budget of $10.00 reached for hello");
        report("i1", InstanceState.STOPPED);
        clock.advance(Duration.ofDays(3));
        server.reconciler().reconcileOnce();
        assertThat(store.listInstances("hello")).hasSize(2);

        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        await().atMost(Duration.ofSeconds(10)).until(() -> kinds().contains("budget.resumed"));
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(store.findInstance("i2").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(store.findApp("hello").orElseThrow().scale()).isEqualTo(Map.of("iad", 2));
        assertThat(suspendedRoute().isNull()).isTrue();
        JsonNode december = json(call("GET", "/v1/apps/hello/budget", null));
        assertThat(december.path("month").asText()).isEqualTo("2026-12");
        assertThat(december.path("spentUsd").asDouble()).isZero();
    }

    @Test
    void raisingTheBudgetAboveTheSpendUnsuspendsAtOnce() throws Exception {
        json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 1)));
        clock.advance(Duration.ofSeconds(1500));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.budgets().suspended().containsKey("hello"));

        JsonNode raised = json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 20)));
        assertThat(raised.path("suspended").isNull()).isTrue();
        assertThat(raised.path("percentUsed").asDouble()).isCloseTo(7.5, org.assertj.core.data.Offset.offset(0.1));
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(suspendedRoute().isNull()).isTrue();
    }

    @Test
    void badBudgetsAndWebhookUrlsAreRefusedNamingTheValueAndChangeNothing() throws Exception {
        json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 5)));
        HttpResponse<String> negative = call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", -3));
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("-3");
        HttpResponse<String> text = call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", "lots"));
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(text.body()).contains("lots");
        assertThat(json(call("GET", "/v1/apps/hello/budget", null)).path("monthlyUsd").asDouble()).isEqualTo(5);

        HttpResponse<String> ftp = call("POST", "/v1/webhooks", Map.of("url", "ftp://127.0.0.1/x", "events", List.of("budget")));
        assertThat(ftp.statusCode()).isEqualTo(400);
        assertThat(ftp.body()).contains("ftp://127.0.0.1/x");
        assertThat(json(call("GET", "/v1/webhooks", null)).path("webhooks")).isEmpty();
    }

    static AppConfig config(String app, String size, AppConfig.Scale scale) {
        return new AppConfig(app, "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(), List.of(), scale, null,
                new AppConfig.Vm(size), null);
    }

    @Test
    void deployRollbackAndScaleOfAnUnpricedSizeAreRefusedNamingItAndChangeNothing() throws Exception {
        // hello v2 asks for performance-1x, which the list (shared-1x only) has no price for.
        store.createRelease("hello", "sha256:" + "b".repeat(64), config("hello", "performance-1x", null), START, START.plusSeconds(600));
        HttpResponse<String> rollback = call("POST", "/v1/apps/hello/rollback", Map.of("version", 2));
        assertThat(rollback.statusCode()).isEqualTo(400);
        assertThat(rollback.body()).contains("vm size performance-1x has no price").contains("shared-1x");
        HttpResponse<String> deploy = call("POST", "/v1/apps/hello/releases", Map.of("artifactDigest", "sha256:" + "c".repeat(64),
                "config", config("hello", "performance-1x", null)));
        assertThat(deploy.statusCode()).isEqualTo(400);
        assertThat(deploy.body()).contains("a deploy of hello is refused: vm size performance-1x has no price");
        assertThat(store.listReleases("hello")).hasSize(2);
        assertThat(store.findApp("hello").orElseThrow().currentRelease()).isEqualTo(1);

        store.createApp("big", "iad", START);
        store.setScale("big", Map.of("iad", 1));
        store.createRelease("big", "sha256:" + "d".repeat(64), config("big", "performance-1x", null), START, START.plusSeconds(600));
        store.scheduling().activate("big", 1, "v1 is serving", List.of());
        HttpResponse<String> scale = call("PUT", "/v1/apps/big/scale", Map.of("regions", Map.of("iad", 3)));
        assertThat(scale.statusCode()).isEqualTo(400);
        assertThat(scale.body()).contains("scaling of big is refused: vm size performance-1x has no price");
        assertThat(store.findApp("big").orElseThrow().scale()).isEqualTo(Map.of("iad", 1));
    }

    @Test
    void scalingAnAutoscaledAppOutsideItsRangesOrRegionsIsRefusedNamingTheValue() throws Exception {
        AppConfig.Scale ranged = new AppConfig.Scale(Map.of("iad", 1, "syd", 2), false, false, 0,
                new dev.outpost.core.config.Autoscale(Map.of("iad", new dev.outpost.core.config.Autoscale.Range(1, 3)), null, 0.7, null));
        store.createApp("auto", "iad", START);
        store.setScale("auto", Map.of("iad", 1, "syd", 2));
        store.createRelease("auto", "sha256:" + "e".repeat(64), config("auto", "shared-1x", ranged), START, START.plusSeconds(600));
        store.scheduling().activate("auto", 1, "v1 is serving", List.of());

        Map<Map<String, Integer>, String> refused = Map.of(
                Map.of("iad", 4), "regions.iad = 4 is outside app auto's autoscale range for iad (min 1, max 3)",
                Map.of("iad", 0), "regions.iad = 0 is outside",
                Map.of("ams", 1), "region ams is not one app auto allows: its [scale] regions are iad, syd",
                Map.of("syd", 101), "regions.syd = 101 is out of range (0-100)");
        for (Map.Entry<Map<String, Integer>, String> e : refused.entrySet()) {
            HttpResponse<String> r = call("PUT", "/v1/apps/auto/scale", Map.of("regions", e.getKey()));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.body()).contains(e.getValue());
        }
        assertThat(store.findApp("auto").orElseThrow().scale()).isEqualTo(Map.of("iad", 1, "syd", 2));

        // Within the range, and a fixed-count region, are fine.
        assertThat(json(call("PUT", "/v1/apps/auto/scale", Map.of("regions", Map.of("iad", 3, "syd", 5)))).path("scale").path("iad").asInt())
                .isEqualTo(3);
    }

    @Test
    void oneAppWhoseBudgetCheckFailsDoesNotStopTheOthers() throws Exception {
        // "big" ran a size that has no price (the list changed under it): its spend cannot be computed.
        store.createApp("big", "iad", START);
        store.createRelease("big", "sha256:" + "d".repeat(64), config("big", "performance-1x", null), START, START.plusSeconds(600));
        store.insertInstance(new Instance("b1", "big", 1, "iad", "iad-1", null, null, InstanceState.CREATED, DesiredState.RUNNING,
                Health.UNKNOWN, null, null, 0, List.of(), START, START));
        report("b1", InstanceState.STARTED);
        store.budgets().set("big", 1);
        store.budgets().set("hello", 1);
        clock.advance(Duration.ofSeconds(2000));

        assertThat(server.budgets().check()).containsExactly("big");
        assertThat(store.budgets().suspended()).containsOnlyKeys("hello");
    }

    /** A webhook receiver on loopback that records each request's signature header and body. */
    static final class Receiver implements AutoCloseable {
        final List<String[]> received = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        final HttpServer server;

        /** Answers 500 to the first {@code failures} requests, 204 after. */
        Receiver(int failures) throws java.io.IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                try (exchange) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    received.add(new String[] {exchange.getRequestHeaders().getFirst("Outpost-Signature"), body});
                    exchange.sendResponseHeaders(calls.incrementAndGet() <= failures ? 500 : 204, -1);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** The signature header a receiver should see for {@code body} sent at second {@code t}. */
    static String signature(String secret, String t, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aWebhookIsSignedAndRetriedWithBackoffUntilTheReceiverAnswers() throws Exception {
        try (Receiver receiver = new Receiver(2)) {
            List<String[]> received = receiver.received;
            JsonNode hook = json(call("POST", "/v1/webhooks", Map.of("url", receiver.url(), "events", List.of("budget"))));
            String secret = hook.path("secret").asText();
            assertThat(secret).isNotBlank();
            assertThat(json(call("GET", "/v1/webhooks", null)).path("webhooks").get(0).path("secret").isNull()).isTrue();
            // Sealed at rest: the secret is in no database file, and what the store keeps is not it.
            assertThat(store.webhooks().list().getFirst().sealedSecret()).isNotEqualTo(secret).doesNotContain(secret);
            try (var files = java.nio.file.Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith("outpost.db")).toList()) {
                    assertThat(new String(java.nio.file.Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
                            .doesNotContain(secret).doesNotContain(secret.substring("whsec_".length()));
                }
            }

            json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 100)));
            clock.advance(Duration.ofSeconds(50_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            clock.advance(Duration.ofMillis(999));
            server.webhooks().sendDue();
            assertThat(received).hasSize(1);
            clock.advance(Duration.ofMillis(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
            clock.advance(Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);

            String[] last = received.get(2);
            String t = last[0].replaceAll("^t=(\\d+),v1=.*$", "$1");
            assertThat(t).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
            assertThat(last[0]).isEqualTo(signature(secret, t, last[1]));
            JsonNode event = Json.mapper().readTree(last[1]);
            assertThat(event.path("kind").asText()).isEqualTo("budget.50");
            assertThat(event.path("webhook").asText()).isEqualTo(hook.path("id").asText());

            // the receiver has the body before the dispatcher has written the attempt down
            JsonNode delivery = await().atMost(Duration.ofSeconds(10)).until(
                    () -> json(call("GET", "/v1/webhooks/deliveries", null)).path("deliveries").get(0),
                    d -> d.path("status").asText().equals("delivered"));
            assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
            assertThat(delivery.path("lastCode").asInt()).isEqualTo(204);
        }
    }

    @Test
    void aSecretAnOlderServerKeptInPlaintextIsSealedAtStartAndStillSigns() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            store.webhooks().add(new dev.outpost.store.Webhook("wh_old", receiver.url(), List.of("budget"), "whsec_legacy", START));
            server.close();
            startServer();
            assertThat(store.webhooks().list().getFirst().sealedSecret()).doesNotContain("whsec_legacy");

            json(call("PUT", "/v1/apps/hello/budget", Map.of("monthlyUsd", 100)));
            clock.advance(Duration.ofSeconds(50_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() == 1);
            String[] got = receiver.received.getFirst();
            assertThat(got[0]).isEqualTo(signature("whsec_legacy", got[0].replaceAll("^t=(\\d+),v1=.*$", "$1"), got[1]));
        }
    }
}
