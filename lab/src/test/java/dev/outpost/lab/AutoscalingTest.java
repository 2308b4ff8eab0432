package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regional autoscaler end to end, process driver: examples/hello with a range per region; load at
 * the syd edge (served from iad while syd has no instance) brings instances up in syd, which then serve
 * syd's users; when the load stops, syd goes back to its minimum only after the scale-down window.
 */
class AutoscalingTest {
    static final String HOST = "hello.outpost.localhost";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path home;
    DevLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = new DevLab(home, List.of("iad", "syd")).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void loadAtSydBringsInstancesToSydAndTheyGoAfterTheWindow() throws Exception {
        Path hello = DevLab.copyHello(home, "hello");
        // soft_limit 2 at target 0.5: one instance per request per second arriving.
        Files.writeString(hello.resolve("outpost.toml"), Files.readString(hello.resolve("outpost.toml"))
                .replace("soft_limit = 20", "soft_limit = 2").replace("hard_limit = 25", "hard_limit = 25")
                + """

                [scale]
                regions = { iad = { min = 1, max = 1 }, syd = { min = 0, max = 2 } }
                target_utilization = 0.5
                scale_down_window = "15s"
                """);
        DevLab.Result deploy = lab.cli(hello, "launch");
        assertThat(deploy.exit()).as(deploy.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        DevLab.Result first = lab.curl("syd", HOST, "/");
        assertThat(first.out()).as("syd has no instance yet: served from iad").contains("hello from iad");

        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread load = Thread.ofVirtual().start(() -> {
            while (loading.get()) {
                try {
                    lab.curl("syd", HOST, "/");
                    sent.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        });
        long started = System.nanoTime();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                DevLab.Result r = lab.curl("syd", HOST, "/");
                assertThat(r.out()).contains("hello from syd");
            });
        } finally {
            loading.set(false);
            load.join(Duration.ofSeconds(20));
        }
        long quiet = System.nanoTime();
        System.out.printf("autoscale: syd served by its own instance %.1fs after load began (%d requests)%n",
                (System.nanoTime() - started) / 1e9, sent.get());

        DevLab.Result status = lab.cli(hello, "status");
        assertThat(status.exit()).as(status.all()).isZero();
        assertThat(status.out()).contains("Regions (autoscaled)").containsPattern("syd\\s+[12] \\(0–2\\)");
        assertThat(lab.devLog()).contains("scale.up").contains("arriving at syd");

        // The window holds syd's instances for 15 s of quiet, then syd returns to 0 and iad serves again.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(lab.cli(hello, "status").out()).containsPattern("syd\\s+0 \\(0–2\\)"));
        assertThat((System.nanoTime() - quiet) / 1e9).as("not before the window").isGreaterThanOrEqualTo(13);
        assertThat(lab.devLog()).contains("scale.down");
    }
}
