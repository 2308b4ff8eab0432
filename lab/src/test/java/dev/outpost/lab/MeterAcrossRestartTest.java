package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meter end to end through {@code bin/outpost} (process driver, one region, {@code --prices}):
 * the spend of one instance matches its real run time — from the moment its port accepts
 * connections to the moment its process is gone, both measured here — within 1 %, across a crash
 * (SIGKILL) and restart of {@code outpost dev} while it runs. The same boot checks bad meter input
 * through the real CLI: exit code, message naming the value, nothing changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeterAcrossRestartTest {
    static final String HOST = "hello.outpost.localhost";
    /** USD per second of shared-1x: one dollar per thousand seconds. */
    static final double PRICE = 0.001;
    /** How long the instance runs at least: 1 % of it is well above the error of the measurements here. */
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path hello;
    /** The same options for both boots: the price list, the process driver, a free HTTPS port. */
    String[] devOptions;

    @BeforeAll
    void start() throws Exception {
        Path prices = Files.writeString(home.resolve("prices.toml"), "shared-1x = " + PRICE + "\n");
        // The process driver only: this test has no business with the (shared) Docker Engine's containers.
        devOptions = new String[] {"--prices", prices.toString(), "--driver", "process",
                "--https-port", Integer.toString(DevLab.freePort(List.of("127.1.0.1")))};
        lab = new DevLab(home, List.of("iad")).start(devOptions);
        hello = DevLab.copyHello(home, "hello");
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void spendMatchesTheRealRunTimeWithinOnePercentAcrossACrashAndRestart() throws Exception {
        CompletableFuture<DevLab.Result> launch = CompletableFuture.supplyAsync(() -> {
            try {
                return lab.cli(hello, "launch", "--region", "iad");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The instance's record (pid, address, port) appears as the driver starts it; it is started
        // for the meter once its port accepts connections.
        JsonNode record = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                .until(this::instanceRecord, Optional::isPresent).orElseThrow();
        String address = record.path("address").asText();
        int port = record.path("port").asInt();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> accepts(address, port));
        Instant listening = Instant.now();
        DevLab.Result launched = launch.get();
        assertThat(launched.exit()).as(launched.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        long pid = record.path("pid").asLong();
        String id = record.path("instanceId").asText();

        badInputIsRefusedNamingTheValueAndChangesNothing();

        lab.kill();
        assertThat(running(pid)).as("the instance outlives the crash of outpost dev").isTrue();
        lab.start(devOptions);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(lab.curl("iad", HOST, "/").exit()).isEqualTo(200));
        Duration ran = Duration.between(listening, Instant.now());
        if (ran.compareTo(RUN) < 0) {
            Thread.sleep(RUN.minus(ran).toMillis());
        }

        DevLab.Result stop = lab.cli(hello, "instances", "stop", id);
        assertThat(stop.exit()).as(stop.all()).isZero();
        // Re-adopted after the restart, the process is no child of the new dev: once it exits it may
        // stay a zombie nobody reaps, which has ended all the same.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> !running(pid));
        Instant gone = Instant.now();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            DevLab.Result budget = lab.cli(hello, "budget", "show", "--json");
            assertThat(Json.mapper().readTree(budget.out()).path("usdPerSecond").asDouble()).as(budget.all()).isZero();
        });

        DevLab.Result show = lab.cli(hello, "budget", "show", "--json");
        JsonNode budget = Json.mapper().readTree(show.out());
        double seconds = Duration.between(listening, gone).toMillis() / 1000.0;
        System.out.printf("meter: instance ran %.2f s (measured), charged %.4f USD = %.2f s at %s USD/s%n",
                seconds, budget.path("spentUsd").asDouble(), budget.path("spentUsd").asDouble() / PRICE, PRICE);
        assertThat(budget.path("spentUsd").asDouble()).as(show.all() + "\n--- dev log ---\n" + lab.devLog())
                .isCloseTo(seconds * PRICE, Percentage.withPercentage(1));
        assertThat(budget.path("monthlyUsd").asDouble()).isEqualTo(20);
    }

    /** Bad meter input through the real CLI, each refused with its value named, the state unchanged. */
    void badInputIsRefusedNamingTheValueAndChangesNothing() throws Exception {
        DevLab.Result set = lab.cli(hello, "budget", "set", "20");
        assertThat(set.exit()).as(set.all()).isZero();
        assertThat(set.out()).contains("monthly budget of hello is $20.00");

        DevLab.Result negative = lab.cli(hello, "budget", "set", "--", "-5");
        assertThat(negative.exit()).as(negative.all()).isEqualTo(2);
        assertThat(negative.err()).contains("-5");
        DevLab.Result words = lab.cli(hello, "budget", "set", "lots");
        assertThat(words.exit()).as(words.all()).isEqualTo(2);
        assertThat(words.err()).contains("\"lots\"");

        DevLab.Result tooMany = lab.cli(hello, "scale", "count", "500");
        assertThat(tooMany.exit()).as(tooMany.all()).isEqualTo(2);
        assertThat(tooMany.err()).contains("500").contains("0-100");
        DevLab.Result nowhere = lab.cli(hello, "scale", "count", "2", "--region", "xyz");
        assertThat(nowhere.exit()).as(nowhere.all()).isEqualTo(1);
        assertThat(nowhere.err()).contains("region xyz not found");

        DevLab.Result ftp = lab.cli(hello, "webhooks", "add", "ftp://127.0.0.1/hook", "--events", "budget");
        assertThat(ftp.exit()).as(ftp.all()).isEqualTo(2);
        assertThat(ftp.err()).contains("ftp://127.0.0.1/hook");
        assertThat(lab.cli(hello, "webhooks", "list", "--json").out()).doesNotContain("ftp://");

        JsonNode status = Json.mapper().readTree(lab.cli(hello, "status", "--json").out());
        assertThat(status.path("app").path("scale").path("iad").asInt()).as(status.toString()).isEqualTo(1);
        JsonNode budget = Json.mapper().readTree(lab.cli(hello, "budget", "show", "--json").out());
        assertThat(budget.path("monthlyUsd").asDouble()).isEqualTo(20);
    }

    /** The driver's record of the app's one instance: {@code <data>/…/instances/<id>/instance.json}. */
    Optional<JsonNode> instanceRecord() throws IOException {
        if (!Files.isDirectory(lab.data)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(lab.data)) {
            for (Path f : files.filter(f -> f.getFileName().toString().equals("instance.json")).toList()) {
                try {
                    return Optional.of(Json.mapper().readTree(Files.readString(f)));
                } catch (IOException e) {
                    return Optional.empty(); // still being written
                }
            }
        }
        return Optional.empty();
    }

    static boolean accepts(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The process exists and is no zombie. */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
