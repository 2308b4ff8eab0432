package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.LogBatch;
import dev.outpost.core.api.LogPage;
import dev.outpost.server.ServerFixture;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /v1/logs} and {@code GET /v1/apps/{app}/logs} over real HTTP. */
class LogsApiTest {
    @TempDir
    Path dir;
    ServerFixture f;
    Instant now;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        now = Instant.now();
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", "iad")).statusCode()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    LogBatch.Line line(String region, String instance, Duration ago, String text, String origin) {
        return new LogBatch.Line(instance, "web", region, now.minus(ago), text, origin);
    }

    void ship(LogBatch.Line... lines) throws Exception {
        HttpResponse<String> r = f.call("POST", "/v1/logs", new LogBatch(List.of(lines)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    LogPage get(String query) throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps/web/logs" + query, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readValue(r.body(), LogPage.class);
    }

    static List<String> texts(LogPage page) {
        return page.lines().stream().map(dev.outpost.core.api.LogLine::line).toList();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void shippedLinesAreReadBackThroughEveryFilter() throws Exception {
        ship(line("iad", "i1", Duration.ofHours(2), "boot Error old", "a:1"),
                line("iad", "i1", Duration.ofMinutes(5), "GET / 200", "a:2"),
                line("ams", "i2", Duration.ofMinutes(4), "GET /x 500 Error", "b:1"),
                line("iad", "i3", Duration.ofMinutes(3), "error lower", "c:1"));

        LogPage all = get("");
        assertThat(texts(all)).containsExactly("boot Error old", "GET / 200", "GET /x 500 Error", "error lower");
        assertThat(all.lines().get(2)).isEqualTo(new dev.outpost.core.api.LogLine("web", "ams", "i2",
                now.minus(Duration.ofMinutes(4)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS), "GET /x 500 Error"));
        assertThat(all.cursor()).isEqualTo(4);
        assertThat(texts(get("?since=10m"))).containsExactly("GET / 200", "GET /x 500 Error", "error lower");
        assertThat(texts(get("?since=" + q(now.minus(Duration.ofMinutes(4)).toString())))).containsExactly("GET /x 500 Error", "error lower");
        assertThat(texts(get("?region=ams"))).containsExactly("GET /x 500 Error");
        assertThat(texts(get("?instance=i1"))).containsExactly("boot Error old", "GET / 200");
        assertThat(texts(get("?grep=Error"))).containsExactly("boot Error old", "GET /x 500 Error");
        assertThat(texts(get("?grep=" + q("GET / ")))).containsExactly("GET / 200");
        assertThat(texts(get("?grep=Error&since=1h&region=ams&instance=i2"))).containsExactly("GET /x 500 Error");
        assertThat(texts(get("?limit=2"))).containsExactly("GET /x 500 Error", "error lower");
        assertThat(texts(get("?after=1&limit=2"))).containsExactly("GET / 200", "GET /x 500 Error");
        assertThat(get("?after=1&limit=2").cursor()).isEqualTo(3);
    }

    @Test
    void aBatchSentAgainIsStoredOnce() throws Exception {
        LogBatch.Line a = line("iad", "i1", Duration.ZERO, "once", "s:5");
        ship(a);
        ship(a);

        assertThat(texts(get(""))).containsExactly("once");
    }

    @Test
    void followWaitsForNewLinesAndWakesWithin100msOfABatch() throws Exception {
        ship(line("iad", "i1", Duration.ZERO, "before", "a:1"));
        long cursor = get("").cursor();

        CompletableFuture<LogPage> parked = follow("?after=" + cursor + "&wait=20s");
        // nothing new: still parked after 500 ms
        assertThat(parked.completeOnTimeout(null, 500, TimeUnit.MILLISECONDS).get()).isNull();

        CompletableFuture<LogPage> follower = follow("?after=" + cursor + "&wait=20s");
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        long shipped = System.nanoTime();
        ship(line("ams", "i2", Duration.ZERO, "new line", "b:1"));
        LogPage woken = follower.get(5, TimeUnit.SECONDS);
        long wokeAfterMs = (System.nanoTime() - shipped) / 1_000_000;

        assertThat(wokeAfterMs).isLessThan(100);
        assertThat(texts(woken)).containsExactly("new line");
        assertThat(woken.cursor()).isGreaterThan(cursor);
    }

    @Test
    void followWithAFilterKeepsWaitingPastLinesThatDoNotMatch() throws Exception {
        long cursor = get("").cursor();
        CompletableFuture<LogPage> follower = follow("?after=" + cursor + "&wait=20s&grep=panic");

        ship(line("iad", "i1", Duration.ZERO, "calm", "a:1"));
        assertThat(follower.completeOnTimeout(null, 300, TimeUnit.MILLISECONDS).get()).isNull();
        CompletableFuture<LogPage> again = follow("?after=" + cursor + "&wait=20s&grep=panic");
        await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        ship(line("iad", "i1", Duration.ZERO, "kernel panic", "a:2"));

        assertThat(texts(again.get(5, TimeUnit.SECONDS))).containsExactly("kernel panic");
    }

    @Test
    void followAnswersEmptyWhenItsWaitEnds() throws Exception {
        long cursor = get("").cursor();
        long start = System.nanoTime();

        LogPage page = get("?after=" + cursor + "&wait=300ms");

        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290);
        assertThat(page.lines()).isEmpty();
        assertThat(page.cursor()).isEqualTo(cursor);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "since=yesterday   | since=yesterday is neither a duration",
            "region=IAD        | region=IAD is not a region code",
            "instance=a/b      | instance=a/b is not an instance id",
            "grep=             | grep takes 1 to 1000 characters",
            "limit=0           | limit=0 is not a number from 1 to 10000",
            "limit=lots        | limit=lots is not a number from 1 to 10000",
            "after=-1          | after=-1 is not a cursor",
            "after=x           | after=x is not a cursor",
            "wait=30s          | wait=30s needs after=CURSOR",
            "after=0&wait=soon | wait=soon:",
            "follow=1          | unknown parameter follow",
    })
    void badParametersAre400NamingTheParameter(String query, String detail) throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps/web/logs?" + query, null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).contains(detail);
    }

    @Test
    void unknownAppIs404() throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps/nope/logs", null);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("detail").asText()).contains("app nope not found");
    }

    @Test
    void aBadLineIs400NamingItsPlaceAndNothingIsStored() throws Exception {
        HttpResponse<String> r = f.call("POST", "/v1/logs", new LogBatch(List.of(
                line("iad", "i1", Duration.ZERO, "fine", "a:1"),
                new LogBatch.Line("i1", "Web!", "iad", now, "bad app", null))));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).contains("lines[1].app \"Web!\" is not an app name");
        assertThat(get("").lines()).isEmpty();

        HttpResponse<String> noTime = f.call("POST", "/v1/logs", "{\"lines\":[{\"instanceId\":\"i1\",\"app\":\"web\",\"region\":\"iad\",\"line\":\"x\"}]}");
        assertThat(json(noTime).get("detail").asText()).contains("lines[0].time is missing");
    }

    @Test
    void shippingNeedsAToken() throws Exception {
        HttpResponse<String> r = f.call("POST", "/v1/logs", new LogBatch(List.of(line("iad", "i1", Duration.ZERO, "x", "a:1"))), null);

        assertThat(r.statusCode()).isEqualTo(401);
    }

    private CompletableFuture<LogPage> follow(String query) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get(query);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }
}
