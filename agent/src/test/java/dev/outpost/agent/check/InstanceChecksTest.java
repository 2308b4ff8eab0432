package dev.outpost.agent.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.agent.testing.TestHttpServer;
import dev.outpost.core.model.Health;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstanceChecksTest {
    private static final Duration FAST = Duration.ofMillis(30);

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final TestHttpServer server = new TestHttpServer();
    private final Recorder recorder = new Recorder();
    private InstanceChecks checks;

    @AfterEach
    void close() {
        if (checks != null) {
            checks.close();
        }
        server.close();
        http.close();
    }

    private HttpProbe httpProbe(Duration grace) {
        return new HttpProbe(http, "GET", "127.0.0.1", server.port(), "/healthz", FAST, Duration.ofSeconds(1), grace);
    }

    @Test
    void checksAtOnceAndIgnoresFailuresDuringTheGracePeriod() {
        server.status(503);
        Duration grace = Duration.ofMillis(600);
        Instant started = Instant.now();
        checks = new InstanceChecks("i1", List.of(new HttpProbe(http, "GET", "127.0.0.1", server.port(), "/healthz",
                Duration.ofSeconds(30), Duration.ofSeconds(1), grace)), 5, recorder).start();

        // Booting: the probe retries quickly, and its failures do not count while the grace period lasts.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests().size() >= 3);
        assertThat(Duration.between(started, server.requests().getFirst().at())).isLessThan(grace);
        assertThat(checks.health()).isEqualTo(Health.UNKNOWN);
        assertThat(recorder.changes).isEmpty();

        // Ready within the grace period: passing at the next retry, not after the 30 s interval.
        server.status(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> checks.health() == Health.PASSING);
        assertThat(recorder.changes).containsExactly("passing");
    }

    @Test
    void aProbeStillFailingWhenTheGracePeriodEndsCountsAsFailing() {
        server.status(500);
        checks = new InstanceChecks("i1", List.of(httpProbe(Duration.ofMillis(200))), 5, recorder).start();

        await().atMost(Duration.ofSeconds(5)).until(() -> checks.health() == Health.FAILING);
        assertThat(recorder.changes).containsExactly("failing: GET /healthz → 500");
    }

    @Test
    void reportsEachChangeOfHealthOnceNotEveryResult() {
        checks = new InstanceChecks("i1", List.of(httpProbe(Duration.ZERO)), 1000, recorder).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.changes.size() == 1);

        server.status(500);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.changes.size() == 2);
        int requestsWhenFailing = server.requests().size();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests().size() > requestsWhenFailing + 3);
        server.status(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.changes.size() == 3);
        int requestsWhenPassing = server.requests().size();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests().size() > requestsWhenPassing + 3);

        assertThat(recorder.changes).containsExactly("passing", "failing: GET /healthz → 500", "passing");
    }

    @Test
    void isFailingWhenAnyCheckFailsAndNamesIt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        TcpProbe deadTcp = new TcpProbe("127.0.0.1", closedPort, FAST, Duration.ofSeconds(1), Duration.ZERO);
        checks = new InstanceChecks("i1", List.of(httpProbe(Duration.ZERO), deadTcp), 1000, recorder).start();

        await().atMost(Duration.ofSeconds(5)).until(() -> !recorder.changes.isEmpty());

        assertThat(recorder.changes.getFirst()).isEqualTo("failing: tcp 127.0.0.1:" + closedPort + " → connect refused");
        assertThat(checks.health()).isEqualTo(Health.FAILING);
    }

    @Test
    void saysOnceWhenACheckFailedThresholdTimesInARow() {
        server.status(503);
        checks = new InstanceChecks("i1", List.of(httpProbe(Duration.ZERO)), 5, recorder).start();

        await().atMost(Duration.ofSeconds(5)).until(() -> !recorder.repeated.isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests().size() >= 10);

        assertThat(recorder.repeated).containsExactly("GET /healthz → 503 (5 times in a row)");
    }

    @Test
    void closeStopsTheProbesAndTheirVerdicts() {
        checks = new InstanceChecks("i1", List.of(httpProbe(Duration.ZERO)), 5, recorder).start();
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.changes.size() == 1);

        checks.close();
        server.status(500);
        // A second set of checks on the same server sees the failure: the closed one would have too.
        Recorder witness = new Recorder();
        InstanceChecks other = new InstanceChecks("i2", List.of(httpProbe(Duration.ZERO)), 5, witness).start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> !witness.repeated.isEmpty());
        } finally {
            other.close();
        }

        assertThat(recorder.changes).containsExactly("passing");
        assertThat(recorder.repeated).isEmpty();
    }

    private static final class Recorder implements InstanceChecks.Listener {
        final List<String> changes = new CopyOnWriteArrayList<>();
        final List<String> repeated = new CopyOnWriteArrayList<>();

        @Override
        public void healthChanged(Health health, String message) {
            changes.add(health.wire() + (message == null ? "" : ": " + message));
        }

        @Override
        public void failingRepeatedly(String message) {
            repeated.add(message);
        }
    }
}
