package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale to zero, the stopping half, end to end: {@code outpost dev --wan scaled} with iad and syd, process
 * driver, two copies of examples/hello with {@code autostop_after = "6s"}. {@code idle} ({@code min_running}
 * 0) is used from iad for 4 s and then left alone: syd's instance stops first, iad's after its
 * last request, and nothing replaces them. {@code warm} ({@code min_running = 1}, two instances in iad)
 * keeps one running in each region. Every stop is a {@code scale.autostop} event in {@code outpost events}
 * and {@code outpost status}. The next request to the stopped app is answered all the same (autostart), and
 * its time is printed.
 */
class AutostopLabTest {
    static final Duration AUTOSTOP_AFTER = Duration.ofSeconds(6);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path home;
    DevLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = new DevLab(home, List.of("iad", "syd"));
        lab.start("--wan", "scaled", "--driver", "process");
    }

    @AfterEach
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    Path app(String name, String scale) throws Exception {
        Path dir = DevLab.copyHello(home, name);
        Files.writeString(dir.resolve("outpost.toml"), Files.readString(dir.resolve("outpost.toml"))
                .replace("app = \"hello\"", "app = \"" + name + "\"") + "\n[scale]\n" + scale + "\n");
        return dir;
    }

    /** The app's instances as {@code outpost instances list --json} gives them: region → "desired/state" of each. */
    Map<String, List<String>> instances(Path dir) throws Exception {
        DevLab.Result r = lab.cli(dir, "instances", "list", "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode i : Json.mapper().readTree(r.out())) {
            out.computeIfAbsent(i.get("region").asText(), k -> new ArrayList<>())
                    .add(i.get("desired").asText() + "/" + i.get("state").asText());
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    @Test
    void idleInstancesStopAfterAutostopAfterAndMinRunningKeepsOnePerRegion() throws Exception {
        Path idle = app("idle", "regions = { iad = 1, syd = 1 }\nautostop = true\nautostart = true\nautostop_after = \""
                + AUTOSTOP_AFTER.toSeconds() + "s\"");
        // Users near iad, from the moment the app answers until iad's instance has served them for 4 s (two requests
        // a second): iad's instance is in use, syd's is not (but for the first answers, if it was ready first).
        // They start before launch returns, which may take longer than autostop_after.
        List<String> answers = new CopyOnWriteArrayList<>();
        AtomicLong lastAnswer = new AtomicLong();
        Thread users = Thread.ofVirtual().start(() -> {
            long first = 0;
            long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < until && (first == 0 || System.nanoTime() - first < Duration.ofSeconds(4).toNanos())) {
                try {
                    DevLab.Result r = lab.curl("iad", "idle.outpost.localhost", "/");
                    if (r.exit() == 200) {
                        answers.add(r.out());
                        lastAnswer.set(System.nanoTime());
                        // Until iad's instance is ready, iad's edge sends its users to syd's.
                        first = first == 0 && r.out().contains("hello from iad") ? System.nanoTime() : first;
                    }
                    Thread.sleep(500);
                } catch (Exception e) {
                    return;
                }
            }
        });
        DevLab.Result launch = lab.cli(idle, "launch");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        users.join(Duration.ofSeconds(130));
        assertThat(answers.stream().filter(a -> a.contains("hello from iad"))).as("answers from idle at iad's edge: " + answers)
                .hasSizeGreaterThanOrEqualTo(4);
        assertThat(answers.getLast()).contains("hello from iad");
        long lastRequest = lastAnswer.get();

        Path warm = app("warm", "regions = { iad = 2, syd = 1 }\nautostop = true\nautostart = true\nmin_running = 1\nautostop_after = \""
                + AUTOSTOP_AFTER.toSeconds() + "s\"");
        launch = lab.cli(warm, "launch");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        assertThat(lab.curl("syd", "warm.outpost.localhost", "/").out()).contains("hello from syd");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(instances(idle)).isEqualTo(Map.of("iad", List.of("stopped/stopped"), "syd", List.of("stopped/stopped"))));
        assertThat((System.nanoTime() - lastRequest) / 1e9).as("not before autostop_after").isGreaterThanOrEqualTo(AUTOSTOP_AFTER.toSeconds() - 1);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(instances(warm)).isEqualTo(Map.of("iad", List.of("running/started", "stopped/stopped"),
                        "syd", List.of("running/started"))));

        DevLab.Result events = lab.cli(idle, "events");
        assertThat(events.exit()).as(events.all()).isZero();
        String out = events.out();
        assertThat(out).contains("scale.autostop");
        int syd = out.indexOf("in syd idle for");
        int iad = out.indexOf("in iad idle for");
        assertThat(syd).as(out).isGreaterThanOrEqualTo(0);
        assertThat(iad).as("iad's instance was in use, so it stopped after syd's\n" + out).isGreaterThan(syd);
        assertThat(out).contains("(autostop_after 6s)").contains("(min_running 0)");
        out.lines().filter(l -> l.contains("scale.autostop")).forEach(l -> System.out.println("autostop event: " + l.strip()));

        DevLab.Result status = lab.cli(warm, "status");
        assertThat(status.exit()).as(status.all()).isZero();
        assertThat(status.out()).contains("scale.autostop").contains("iad keeps 1 running (min_running 1)");
        assertThat(status.out()).doesNotContain("in syd idle for");

        // Stopped instances keep their places: a few seconds on, nothing was placed in their stead.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() ->
                instances(idle).equals(Map.of("iad", List.of("stopped/stopped"), "syd", List.of("stopped/stopped"))));

        // The next user is answered all the same (autostart): iad's edge starts iad's instance and holds the request.
        long asked = System.nanoTime();
        DevLab.Result next = lab.curl("iad", "idle.outpost.localhost", "/");
        long answeredMs = (System.nanoTime() - asked) / 1_000_000;
        assertThat(next.exit()).as(next.all() + "\n--- dev log ---\n" + lab.devLog()).isEqualTo(200);
        assertThat(next.out()).contains("hello from iad");
        System.out.println("autostart after autostop: answered in " + answeredMs + " ms (curl included; examples/hello is a JVM start)");
        assertThat(instances(idle).get("iad")).containsExactly("running/started");
        assertThat(instances(idle).get("syd")).containsExactly("stopped/stopped");
    }
}
