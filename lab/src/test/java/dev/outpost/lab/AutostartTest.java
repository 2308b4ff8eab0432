package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Autostart end to end, process driver: examples/hello with {@code [scale] autostart = true}; every instance is
 * stopped with {@code outpost instances stop}; the next curl is held by the edge while the instance starts and
 * answered 200 by it. The time to first byte is printed (measured, never asserted; bench/coldstart measures it).
 */
class AutostartTest {
    static final String HOST = "hello.outpost.localhost";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path home;
    DevLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = new DevLab(home, List.of("iad")).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aRequestToAnAppWhoseInstancesAreAllStoppedStartsOneAndIsAnswered() throws Exception {
        Path hello = DevLab.copyHello(home, "hello");
        Files.writeString(hello.resolve("outpost.toml"), Files.readString(hello.resolve("outpost.toml")) + """

                [scale]
                regions = { iad = 1 }
                autostart = true
                """);
        DevLab.Result launch = lab.cli(hello, "launch", "--region", "iad");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        assertThat(lab.curl("iad", HOST, "/").out()).contains("hello from iad");

        List<String> ids = new ArrayList<>();
        for (JsonNode i : instances(hello)) {
            ids.add(i.get("id").asText());
            DevLab.Result stop = lab.cli(hello, "instances", "stop", i.get("id").asText());
            assertThat(stop.exit()).as(stop.all()).isZero();
        }
        assertThat(ids).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(instances(hello)).allSatisfy(i -> assertThat(i.get("state").asText()).isEqualTo("stopped")));

        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-H", "Host: " + HOST, "-o", "-",
                "-w", "\n%{http_code} %{time_starttransfer}", "http://127.1.0.1:" + lab.httpPort + "/").start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(25, TimeUnit.SECONDS)).isTrue();
        String[] status = output.substring(output.lastIndexOf('\n') + 1).trim().split(" ");
        assertThat(status[0]).as(output + "\n--- dev log ---\n" + lab.devLog()).isEqualTo("200");
        assertThat(output).contains("hello from iad");
        System.out.printf("autostart: first byte %.0f ms after the request (process driver, examples/hello: a JVM start)%n",
                Double.parseDouble(status[1]) * 1000);

        JsonNode again = instances(hello).get(0);
        assertThat(again.get("id").asText()).as("the stopped instance started, not a new one").isEqualTo(ids.get(0));
        assertThat(again.get("state").asText()).isEqualTo("started");
        assertThat(again.get("desired").asText()).isEqualTo("running");
        DevLab.Result events = lab.cli(hello, "events", "hello");
        assertThat(events.out()).contains("instance.autostart")
                .contains("autostart: instance " + ids.get(0) + " in iad started by a request at edge iad-edge");
    }

    private JsonNode instances(Path dir) throws Exception {
        DevLab.Result list = lab.cli(dir, "instances", "list", "--json");
        assertThat(list.exit()).as(list.all()).isZero();
        return Json.mapper().readTree(list.out());
    }
}
