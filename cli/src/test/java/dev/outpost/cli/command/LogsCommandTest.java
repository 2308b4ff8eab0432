package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.Environment;
import dev.outpost.cli.OutpostCommand;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeLogs;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.LogLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code outpost logs} against the fake API: the listing, its filters, JSON lines and follow mode. */
class LogsCommandTest {
    static final Instant T = Instant.parse("2025-03-01T10:00:00.123Z");

    @TempDir
    Path home;
    @TempDir
    Path dir;
    FakeOutpostApi fake;
    FakeLogs logs;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.addApp("hello", "iad", Map.of("iad", 1));
        logs = new FakeLogs(fake);
        fake.add(logs);
        logs.add(new LogLine("hello", "iad", "i-1", T, "GET / 200"),
                new LogLine("other", "iad", "o-1", T, "not mine"),
                new LogLine("hello", "ams", "i-2", T.plusSeconds(1), "boom: Error"));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }

    @Test
    void printsTimeRegionInstanceAndLineOldestFirst() {
        Result r = run("logs", "--app", "hello");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                2025-03-01T10:00:00.123Z iad i-1 GET / 200
                2025-03-01T10:00:01.123Z ams i-2 boom: Error
                """);
    }

    @Test
    void passesEveryFilterToTheApi() {
        Result r = run("logs", "--app", "hello", "--region", "ams", "--instance", "i-2", "--since", "10m", "--grep", "boom: E",
                "--limit", "5");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("boom: Error").doesNotContain("GET /");
        assertThat(logs.queries()).containsExactly("since=10m&region=ams&instance=i-2&grep=boom%3A%20E&limit=5");
    }

    @Test
    void jsonPrintsOneObjectPerLine() throws Exception {
        Result r = run("logs", "--app", "hello", "--json");

        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = Json.mapper().readTree(lines[0]);
        assertThat(first.path("instanceId").asText()).isEqualTo("i-1");
        assertThat(first.path("region").asText()).isEqualTo("iad");
        assertThat(first.path("line").asText()).isEqualTo("GET / 200");
        assertThat(first.path("time").asText()).isEqualTo("2025-03-01T10:00:00.123Z");
    }

    @Test
    void badOptionsAreUsageErrors() {
        Result since = run("logs", "--app", "hello", "--since", "yesterday");
        Result limit = run("logs", "--app", "hello", "--limit", "0");

        assertThat(since.exit()).isEqualTo(OutpostCommand.USAGE);
        assertThat(since.err()).contains("--since yesterday is neither a duration");
        assertThat(limit.exit()).isEqualTo(OutpostCommand.USAGE);
        assertThat(limit.err()).contains("--limit 0 is out of range");
        assertThat(logs.queries()).isEmpty();
    }

    @Test
    void anUnknownAppFailsWithTheServersSentence() {
        Result r = run("logs", "--app", "nope", "-f");

        assertThat(r.exit()).isEqualTo(OutpostCommand.FAILURE);
        assertThat(r.err()).contains("app nope not found");
    }

    @Test
    void followPrintsNewLinesAsTheyArriveAndRidesOutAnApiThatIsAway() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Environment env = CliRunner.environment(fake, home, dir);
        Thread follower = Thread.ofPlatform().name("outpost-logs-f").start(() -> {
            CommandLine cli = OutpostCommand.commandLine(env);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exit.set(cli.execute("logs", "--app", "hello", "-f", "--grep", "o"));
        });
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> out.toString().contains("boom: Error"));
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.queries().stream().anyMatch(q -> q.contains("wait=30s")));

            logs.add(new LogLine("hello", "syd", "i-3", T.plusSeconds(5), "hello again"));
            await().atMost(Duration.ofSeconds(5)).until(() -> out.toString().contains("syd i-3 hello again"));

            logs.failNext(1);
            logs.add(new LogLine("hello", "syd", "i-3", T.plusSeconds(6), "skip me"));
            logs.add(new LogLine("hello", "iad", "i-1", T.plusSeconds(7), "after the outage"));
            await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("after the outage"));
        } finally {
            follower.interrupt();
            follower.join(Duration.ofSeconds(10));
        }

        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        assertThat(out.toString()).doesNotContain("skip me");
        assertThat(out.toString().lines().filter(l -> l.contains("hello again")).count()).isEqualTo(1);
        assertThat(err.toString()).contains("still following");
        // every follow call passes the cursor of the answer before it
        assertThat(logs.queries().stream().filter(q -> q.contains("after=")).findFirst().orElseThrow()).contains("after=3");
    }
}
