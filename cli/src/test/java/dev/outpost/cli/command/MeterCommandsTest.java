package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.cli.Environment;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.core.Json;
import dev.outpost.core.api.BudgetReport;
import dev.outpost.core.api.Event;
import dev.outpost.core.api.EventList;
import dev.outpost.core.api.WebhookDeliveryInfo;
import dev.outpost.core.api.WebhookInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost events}, {@code budget} and {@code webhooks} against a small HTTP server that answers
 * their endpoints as the real one does and records what the CLI sent.
 */
class MeterCommandsTest {
    static final Instant T = Instant.parse("2026-11-10T12:00:00Z");
    static final String REASON = "monthly budget of $5.00 reached for hello; it resumes on 2026-12-01 00:00 UTC"
            + " or when the budget is raised (outpost budget set)";

    @TempDir
    Path home;
    @TempDir
    Path dir;
    HttpServer server;
    Environment env;
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile double budget = 5;
    final java.util.concurrent.BlockingQueue<Event> arriving = new java.util.concurrent.LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        env = new Environment(Map.of("OUTPOST_CONFIG_DIR", home.resolve("config").toString(),
                "OUTPOST_API", "http://127.0.0.1:" + server.getAddress().getPort(), "OUTPOST_TOKEN", "t"), home, dir, false);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            handleExchange(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handleExchange(HttpExchange ex) throws IOException, InterruptedException {
        {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String what = ex.getRequestMethod() + " " + ex.getRequestURI();
            requests.add(what + (body.isEmpty() ? "" : " " + body));
            Object answer;
            int status = 200;
            if (what.startsWith("GET /v1/apps/hello/events") && what.contains("index=")) {
                // a blocking query: answers with the next event as soon as there is one, else empty when its wait ends
                Event next = arriving.poll(2, java.util.concurrent.TimeUnit.SECONDS);
                answer = new EventList(next == null ? 7 : 7 + next.id(), next == null ? List.of() : List.of(next));
            } else if (what.startsWith("GET /v1/apps/hello/events")) {
                answer = new EventList(7, List.of(new Event(3, T, "hello", "budget.50", "hello has spent $2.50 of its monthly budget of $5.00 (50 %)", Map.of()),
                        new Event(4, T.plusSeconds(60), "hello", "budget.suspended", REASON, Map.of())));
            } else if (what.equals("GET /v1/apps/hello/budget")) {
                answer = new BudgetReport("hello", budget, "2026-11", 5.01, 0.0, 5.01, 100.2, REASON, Instant.parse("2026-12-01T00:00:00Z"));
            } else if (what.equals("PUT /v1/apps/hello/budget")) {
                budget = Json.mapper().readTree(body).path("monthlyUsd").asDouble();
                answer = new BudgetReport("hello", budget, "2026-11", 5.01, 0.0, 5.01, 100 * 5.01 / budget, null, null);
            } else if (what.equals("POST /v1/webhooks")) {
                JsonNode req = Json.mapper().readTree(body);
                status = 201;
                answer = new WebhookInfo("wh_1", req.path("url").asText(), List.of("budget", "deploy"), "whsec_abc", T);
            } else if (what.equals("GET /v1/webhooks")) {
                answer = Map.of("webhooks", List.of(new WebhookInfo("wh_1", "https://example.test/hook", List.of("budget"), null, T)));
            } else if (what.equals("GET /v1/webhooks/deliveries")) {
                answer = Map.of("deliveries", List.of(new WebhookDeliveryInfo(9, "wh_1", 3, "pending", 2, T.plusSeconds(4), 500,
                        "answered HTTP 500", T)));
            } else if (what.equals("DELETE /v1/webhooks/wh_1")) {
                ex.sendResponseHeaders(204, -1);
                return;
            } else {
                byte[] problem = ("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"webhook nope not found\"}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/problem+json");
                ex.sendResponseHeaders(404, problem.length);
                ex.getResponseBody().write(problem);
                return;
            }
            byte[] bytes = Json.mapper().writeValueAsBytes(answer);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    @Test
    void eventsPrintsKindAndMessageOldestFirst() {
        Result r = CliRunner.run(env, "events", "hello");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsSubsequence("budget.50", "budget.suspended  " + REASON);
        assertThat(requests.getFirst()).startsWith("GET /v1/apps/hello/events?limit=20");
    }

    @Test
    void eventsFollowPrintsNewEventsAsTheyArriveUntilInterrupted() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.util.concurrent.atomic.AtomicInteger exit = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread follower = Thread.ofPlatform().name("outpost-events-f").start(() -> {
            picocli.CommandLine cli = dev.outpost.cli.OutpostCommand.commandLine(env);
            cli.setOut(new java.io.PrintWriter(out, true));
            cli.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
            exit.set(cli.execute("events", "hello", "--follow"));
        });
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> out.toString().contains("budget.suspended"));
            arriving.add(new Event(5, T.plusSeconds(120), "hello", "budget.resumed", "hello runs again", Map.of()));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> out.toString().contains("budget.resumed"));
        } finally {
            follower.interrupt();
            follower.join(java.time.Duration.ofSeconds(10));
        }
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        assertThat(requests.stream().filter(q -> q.contains("index=")).findFirst().orElseThrow()).contains("since=4").contains("index=7");
    }

    @Test
    void eventsJsonIsOneEventPerLine() throws Exception {
        Result r = CliRunner.run(env, "events", "hello", "--json");
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(Json.mapper().readValue(lines.get(1), Event.class).kind()).isEqualTo("budget.suspended");
    }

    @Test
    void budgetSetSendsTheAmountAndShowPrintsSpendForecastAndSuspension() throws Exception {
        Result set = CliRunner.run(env, "budget", "set", "hello", "12.50");
        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(requests).contains("PUT /v1/apps/hello/budget {\"monthlyUsd\":12.5}");
        assertThat(set.out()).contains("monthly budget of hello is $12.50");

        Result show = CliRunner.run(env, "budget", "show", "hello");
        assertThat(show.exit()).isZero();
        assertThat(show.out()).contains("budget:    $12.50").contains("spent:     $5.01").contains("forecast:  $5.01")
                .contains("suspended: " + REASON);
        Result json = CliRunner.run(env, "budget", "show", "hello", "--json");
        assertThat(Json.mapper().readValue(json.out(), BudgetReport.class).monthlyUsd()).isEqualTo(12.5);
    }

    @Test
    void budgetTakesTheAppFromOutpostTomlOrAppLikeOtherCommands() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("outpost.toml"), "app = \"hello\"\n");
        Result set = CliRunner.run(env, "budget", "set", "20");
        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(requests).containsExactly("PUT /v1/apps/hello/budget {\"monthlyUsd\":20.0}");

        Result show = CliRunner.run(env, "budget", "show");
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(show.out()).contains("app:       hello").contains("budget:    $20.00").contains("spent:     $5.01 (100.2 %)")
                .contains("forecast:  $5.01").contains("state:     suspended until 2026-12-01T00:00:00Z");
        Result byFlag = CliRunner.run(env, "budget", "show", "--app", "hello", "--json");
        assertThat(byFlag.exit()).as(byFlag.toString()).isZero();
        assertThat(Json.mapper().readTree(byFlag.out()).path("suspended").asText()).isEqualTo(REASON);

        Result twoApps = CliRunner.run(env, "budget", "set", "other", "5", "--app", "hello");
        assertThat(twoApps.exit()).isEqualTo(2);
        assertThat(twoApps.err()).contains("other").contains("--app hello");
        java.nio.file.Files.delete(dir.resolve("outpost.toml"));
        Result none = CliRunner.run(env, "budget", "show");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no app given");
        assertThat(requests).hasSize(3);
    }

    @Test
    void aBudgetThatIsNotANumberIsWrongUsageNamingItAndSendsNothing() {
        Result r = CliRunner.run(env, "budget", "set", "hello", "lots");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("\"lots\"");
        Result negative = CliRunner.run(env, "budget", "set", "hello", "--", "-3");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).contains("-3");
        assertThat(requests).isEmpty();
    }

    @Test
    void webhooksAddPrintsTheSecretOnceListRemoveAndDeliveries() {
        Result add = CliRunner.run(env, "webhooks", "add", "https://example.test/hook", "--events", "budget,deploy");
        assertThat(add.exit()).as(add.toString()).isZero();
        assertThat(add.out()).contains("wh_1").contains("whsec_abc");
        assertThat(requests.getFirst()).contains("\"events\":[\"budget\",\"deploy\"]");

        Result list = CliRunner.run(env, "webhooks", "list");
        assertThat(list.out()).contains("wh_1").contains("https://example.test/hook").doesNotContain("whsec");
        Result deliveries = CliRunner.run(env, "webhooks", "deliveries");
        assertThat(deliveries.out()).contains("pending").contains("answered HTTP 500");
        assertThat(CliRunner.run(env, "webhooks", "remove", "wh_1").exit()).isZero();
        Result missing = CliRunner.run(env, "webhooks", "remove", "nope");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("webhook nope not found");
    }

    @Test
    void aWebhookUrlThatIsNotHttpIsWrongUsageNamingItAndSendsNothing() {
        Result r = CliRunner.run(env, "webhooks", "add", "ftp://example.test/x", "--events", "budget");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("ftp://example.test/x");
        Result kind = CliRunner.run(env, "webhooks", "add", "https://example.test/x", "--events", "budgets");
        assertThat(kind.exit()).isEqualTo(2);
        assertThat(kind.err()).contains("\"budgets\"");
        assertThat(requests).isEmpty();
    }
}
