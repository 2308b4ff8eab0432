package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.ServerFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/routes} over real HTTP while the server's scheduler deploys: a blue-green deploy's
 * new set takes no traffic until the switch, which edges see as one table change. No host is
 * registered, so the scheduler places nothing and the test owns every instance.
 */
class RoutesApiTest {
    @TempDir
    Path dir;
    ServerFixture f;
    int port = 9000;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        Instant now = Instant.now();
        f.store.createApp("web", "iad", now);
        f.store.setScale("web", Map.of("iad", 2));
        f.store.createRelease("web", "sha256:" + "a".repeat(64), config("rolling"), now, now.plusSeconds(600));
        f.store.scheduling().activate("web", 1, "v1 is serving", List.of());
        healthy("old-1", 1);
        healthy("old-2", 1);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static AppConfig config(String strategy) {
        return new AppConfig("web", "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(), List.of(), null,
                new AppConfig.Deploy(strategy, 0.33, Duration.ofMinutes(10)), null, null);
    }

    void place(String id, int release) {
        Instant now = Instant.now();
        f.store.insertInstance(new Instance(id, "web", release, "iad", "iad-1", null, null, InstanceState.CREATED, DesiredState.RUNNING,
                Health.UNKNOWN, null, null, 0, List.of(), now, now));
    }

    void healthy(String id, int release) {
        if (f.store.findInstance(id).isEmpty()) {
            place(id, release);
        }
        f.store.applyReport(id, new InstanceReport(InstanceState.STARTED, Health.PASSING, "127.1.1.1", ++port, null, null, 0, List.of()),
                Instant.now());
    }

    JsonNode routes(long index) throws Exception {
        return ApiTest.json(f.call("GET", "/v1/routes?index=" + index + "&wait=5s", null));
    }

    static Set<String> targets(JsonNode table) {
        Set<String> ids = new TreeSet<>();
        table.path("apps").get(0).path("targets").forEach(t -> ids.add(t.path("instanceId").asText()));
        return ids;
    }

    @Test
    void aBlueGreenDeployRoutesOnlyTheOldSetUntilEveryNewInstanceIsHealthyThenSwitchesInOneTableChange() throws Exception {
        Instant now = Instant.now();
        f.store.createRelease("web", "sha256:" + "b".repeat(64), config("bluegreen"), now, now.plusSeconds(600));
        healthy("new-1", 2);
        place("new-2", 2);

        JsonNode before = routes(0);
        assertThat(targets(before)).as("new-1 is healthy but the switch has not happened").containsExactly("old-1", "old-2");

        healthy("new-2", 2);

        long index = before.path("index").asLong();
        JsonNode table = before;
        while (targets(table).equals(Set.of("old-1", "old-2"))) {
            table = routes(index);
            assertThat(table.path("index").asLong()).as("the switch came within the wait").isGreaterThan(index);
            index = table.path("index").asLong();
        }
        assertThat(targets(table)).as("the first table that changed is the whole new set").containsExactly("new-1", "new-2");
        assertThat(f.store.findApp("web").orElseThrow().currentRelease()).isEqualTo(2);
        assertThat(f.store.findRelease("web", 1).orElseThrow().status()).isEqualTo(ReleaseStatus.SUPERSEDED);
        assertThat(f.store.findInstance("old-1").orElseThrow().desired()).isEqualTo(DesiredState.DESTROYED);
    }

    @Test
    void readersDuringBlueGreenSwitchesSeeOneWholeSetAtATimeNeverTwoOrNone() throws Exception {
        int switches = 10;
        Set<Set<String>> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        try (var readers = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Integer>> reads = new java.util.ArrayList<>();
            for (int r = 0; r < 4; r++) {
                reads.add(readers.submit(() -> {
                    int n = 0;
                    // Bounded: at most 60 s or 100,000 reads, whichever ends first.
                    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (!done.get() && n < 100_000 && System.nanoTime() < end) {
                        seen.add(targets(routes(0)));
                        n++;
                    }
                    return n;
                }));
            }
            for (int release = 2; release <= switches + 1; release++) {
                Instant now = Instant.now();
                f.store.createRelease("web", "sha256:" + Integer.toString(release, 16).repeat(64).substring(0, 64),
                        config("bluegreen"), now, now.plusSeconds(600));
                healthy("v" + release + "-1", release);
                healthy("v" + release + "-2", release);
                int version = release;
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> f.store.findApp("web").orElseThrow().currentRelease() == version);
            }
            done.set(true);
            for (var read : reads) {
                assertThat(read.get()).isPositive();
            }
        }
        Set<Set<String>> expected = new java.util.HashSet<>(Set.of(Set.of("old-1", "old-2")));
        for (int release = 2; release <= switches + 1; release++) {
            expected.add(Set.of("v" + release + "-1", "v" + release + "-2"));
        }
        assertThat(seen).as("every table the readers got is one release's whole set").isSubsetOf(expected);
        assertThat(seen).as("the readers saw the switches").hasSizeGreaterThan(2);
    }

    @Test
    void aRollingDeployRoutesNewInstancesAsSoonAsTheyAreHealthy() throws Exception {
        Instant now = Instant.now();
        f.store.createRelease("web", "sha256:" + "b".repeat(64), config("rolling"), now, now.plusSeconds(600));
        healthy("new-1", 2);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> targets(routes(0)).contains("new-1"));
        assertThat(f.store.findApp("web").orElseThrow().currentRelease()).as("still deploying").isEqualTo(1);
    }

    @Test
    void aFailedBlueGreenDeployNeverRoutesItsNewSetAndTheOldSetKeepsServing() throws Exception {
        Instant now = Instant.now();
        f.store.createRelease("web", "sha256:" + "b".repeat(64), config("bluegreen"), now, now.plusMillis(1500));
        healthy("new-1", 2);
        place("new-2", 2); // never healthy: the deadline fails the deploy

        long index = 0;
        Set<String> seen = new TreeSet<>();
        while (f.store.findRelease("web", 2).orElseThrow().status() == ReleaseStatus.DEPLOYING) {
            JsonNode table = routes(index);
            index = table.path("index").asLong();
            seen.addAll(targets(table));
        }
        JsonNode after = routes(0);
        seen.addAll(targets(after));
        assertThat(seen).as("every table any edge could have seen").containsExactly("old-1", "old-2");
        assertThat(targets(after)).containsExactly("old-1", "old-2");
        assertThat(f.store.findRelease("web", 2).orElseThrow().status()).isEqualTo(ReleaseStatus.FAILED);
        assertThat(f.store.findInstance("new-1").orElseThrow().desired()).isEqualTo(DesiredState.DESTROYED);
        assertThat(f.store.findApp("web").orElseThrow().currentRelease()).isEqualTo(1);
    }
}
