package dev.outpost.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monthly budget end to end through {@code bin/outpost} and curl (process driver, one region): a
 * tiny budget suspends hello, its edge answers 503 saying why, deploys are refused; raising the
 * budget brings it back at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BudgetSuspensionTest {
    static final String HOST = "hello.outpost.localhost";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path home;
    DevLab lab;
    Path hello;

    @BeforeAll
    void start() throws Exception {
        // The process driver only (the Docker Engine is shared); DevLab gives dev a free HTTPS port.
        lab = new DevLab(home, List.of("iad")).start("--driver", "process");
        hello = DevLab.copyHello(home, "hello");
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aTinyBudgetSuspendsTheAppWithA503SayingWhyAndARaiseBringsItBack() throws Exception {
        DevLab.Result launch = lab.cli(hello, "launch", "--region", "iad");
        assertThat(launch.exit()).as(launch.all() + "\n--- dev log ---\n" + lab.devLog()).isZero();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(lab.curl("iad", HOST, "/").exit()).isEqualTo(200));

        DevLab.Result set = lab.cli(hello, "budget", "set", "hello", "0.0000001");
        assertThat(set.exit()).as(set.all()).isZero();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            DevLab.Result r = lab.curl("iad", HOST, "/");
            assertThat(r.exit()).isEqualTo(503);
            assertThat(r.out()).contains("monthly budget of $0.00 reached for hello").contains("outpost budget set");
        });
        DevLab.Result deploy = lab.cli(hello, "deploy");
        assertThat(deploy.exit()).as(deploy.all()).isEqualTo(1);
        assertThat(deploy.all()).contains("suspended").contains("budget");
        DevLab.Result events = lab.cli(hello, "events", "hello");
        assertThat(events.out()).contains("budget.100").contains("budget.suspended");

        DevLab.Result raise = lab.cli(hello, "budget", "set", "hello", "100");
        assertThat(raise.exit()).as(raise.all()).isZero();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(lab.curl("iad", HOST, "/").exit()).isEqualTo(200));
        DevLab.Result show = lab.cli(hello, "budget", "show", "hello");
        assertThat(show.out()).contains("budget:    $100.00").doesNotContain("suspended:");
    }
}
