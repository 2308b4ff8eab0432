package dev.outpost.store;

import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The module's test fixtures: records with every field set, at millisecond precision (what the store keeps). */
final class TestRecords {
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123Z");

    private TestRecords() {}

    static Instant at(long secondsAfterT0) {
        return T0.plusSeconds(secondsAfterT0);
    }

    /** A config with every section and field set, durations included. */
    static AppConfig fullConfig(String app) {
        AppConfig.Service service = new AppConfig.Service(8080, "tcp",
                List.of(new AppConfig.Port(80, List.of("http")), new AppConfig.Port(443, List.of("tls", "http"))),
                new AppConfig.Concurrency("connections", 10, 15),
                List.of(new AppConfig.HttpCheck("/healthz", "GET", Duration.ofSeconds(5), Duration.ofMillis(2500),
                        Duration.ofSeconds(7))),
                List.of(new AppConfig.TcpCheck(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(250))),
                false, Duration.ofSeconds(90));
        return new AppConfig(app, "iad",
                new AppConfig.Build("Dockerfile", "hello:1", List.of("java", "-jar", "app.jar")),
                Map.of("GREETING", "hi", "MODE", "prod"),
                List.of(service),
                new AppConfig.Scale(Map.of("iad", 2, "ams", 1), true, true, 1),
                new AppConfig.Deploy("canary", 0.5, Duration.ofMinutes(3).plusMillis(5)),
                new AppConfig.Vm("shared-2x"),
                new AppConfig.Budget(49.5));
    }

    /** A fresh instance of {@code app} on {@code hostId}, created, wanted running, not yet reported. */
    static Instance newInstance(String id, String app, int release, String hostId) {
        return new Instance(id, app, release, "iad", hostId, null, null, InstanceState.CREATED, DesiredState.RUNNING,
                Health.UNKNOWN, null, null, 0, List.of(), at(0), at(0));
    }

    /** An instance with every field set. */
    static Instance fullInstance(String id, String app) {
        return new Instance(id, app, 3, "ams", "host-1", "127.2.1.7", 41234, InstanceState.FAILED, DesiredState.STOPPED,
                Health.FAILING, 137, "killed: out of memory", 4, List.of("starting", "allocating", "oom"), at(1), at(2));
    }

    static InstanceReport startedReport(int port) {
        return new InstanceReport(InstanceState.STARTED, Health.PASSING, "127.1.1.5", port, null, null, 0, List.of());
    }
}
