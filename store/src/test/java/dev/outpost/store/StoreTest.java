package dev.outpost.store;

import static dev.outpost.store.TestRecords.T0;
import static dev.outpost.store.TestRecords.at;
import static dev.outpost.store.TestRecords.fullConfig;
import static dev.outpost.store.TestRecords.fullInstance;
import static dev.outpost.store.TestRecords.newInstance;
import static dev.outpost.store.TestRecords.startedReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.core.model.Token;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's contract, run against each dialect by a subclass that says where a fresh, empty
 * database is ({@link #freshUrl()}).
 */
abstract class StoreTest {
    protected Store store;

    /** A URL naming an empty database nobody else uses. */
    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void freshDatabaseStartsAtIndexOne() {
        assertThat(store.index()).isEqualTo(1);
        assertThat(store.listApps()).isEmpty();
    }

    @Test
    void appRoundTripsWithAllFields() {
        App created = store.createApp("hello", "iad", T0);
        assertThat(created).isEqualTo(new App("hello", "iad", Map.of(), null, T0));

        store.setScale("hello", Map.of("iad", 2, "syd", 1));
        store.setCurrentRelease("hello", 7);

        assertThat(store.findApp("hello")).contains(new App("hello", "iad", Map.of("iad", 2, "syd", 1), 7, T0));
        assertThat(store.findApp("nope")).isEmpty();

        store.setCurrentRelease("hello", null);
        assertThat(store.findApp("hello").orElseThrow().currentRelease()).isNull();
    }

    @Test
    void listsAppsByName() {
        store.createApp("zeta", "iad", T0);
        store.createApp("alpha-2", "ams", T0);
        store.createApp("alpha", "syd", T0);

        assertThat(store.listApps()).extracting(App::name).containsExactly("alpha", "alpha-2", "zeta");
    }

    @Test
    void creatingAnExistingAppIsAConflictAndChangesNothing() {
        store.createApp("hello", "iad", T0);
        long index = store.index();

        assertThatThrownBy(() -> store.createApp("hello", "ams", at(5)))
                .isInstanceOf(StoreException.Conflict.class)
                .hasMessageContaining("hello");
        assertThat(store.index()).isEqualTo(index);
        assertThat(store.findApp("hello").orElseThrow().primaryRegion()).isEqualTo("iad");
    }

    @Test
    void setScaleMergesCountsAndKeepsZero() {
        store.createApp("hello", "iad", T0);
        store.setScale("hello", Map.of("iad", 2, "ams", 1));

        App app = store.setScale("hello", Map.of("ams", 0, "syd", 3));

        assertThat(app.scale()).isEqualTo(Map.of("iad", 2, "ams", 0, "syd", 3));
        assertThat(store.findApp("hello").orElseThrow().scale()).isEqualTo(Map.of("iad", 2, "ams", 0, "syd", 3));
        assertThatThrownBy(() -> store.setScale("nope", Map.of("iad", 1)))
                .isInstanceOf(StoreException.NotFound.class)
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> store.setCurrentRelease("nope", 1)).isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void releaseRoundTripsWithConfigAndFailure() {
        store.createApp("hello", "iad", T0);
        Release created = store.createRelease("hello", "sha256:ab12", fullConfig("hello"), at(1), at(121));

        Release expected = new Release("hello", 1, "sha256:ab12", fullConfig("hello"), ReleaseStatus.DEPLOYING, null, null,
                at(1), at(121));
        assertThat(created).isEqualTo(expected);
        assertThat(store.findRelease("hello", 1)).contains(expected);

        DeployFailure failure = new DeployFailure("health check failed", "inst-1", "ams", 3, "http /healthz: 500",
                List.of("line 1", "line 2"));
        store.updateRelease("hello", 1, ReleaseStatus.FAILED, "deploy failed", failure);

        assertThat(store.findRelease("hello", 1))
                .contains(expected.withStatus(ReleaseStatus.FAILED, "deploy failed", failure));
        assertThatThrownBy(() -> store.updateRelease("hello", 9, ReleaseStatus.ACTIVE, null, null))
                .isInstanceOf(StoreException.NotFound.class)
                .hasMessageContaining("hello v9");
    }

    @Test
    void releaseVersionsCountUpNewestFirstAndAreNeverReused() {
        store.createApp("hello", "iad", T0);
        assertThat(store.createRelease("hello", "sha256:1", fullConfig("hello"), at(1), null).version()).isEqualTo(1);
        assertThat(store.createRelease("hello", "sha256:2", fullConfig("hello"), at(2), null).version()).isEqualTo(2);
        store.updateRelease("hello", 2, ReleaseStatus.FAILED, "no", null);
        assertThat(store.createRelease("hello", "sha256:3", fullConfig("hello"), at(3), null).version()).isEqualTo(3);

        assertThat(store.listReleases("hello")).extracting(Release::version).containsExactly(3, 2, 1);
        assertThat(store.findRelease("hello", 3).orElseThrow().deadline()).isNull();
        assertThatThrownBy(() -> store.createRelease("nope", "sha256:1", fullConfig("nope"), T0, null))
                .isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void deleteAppRemovesReleasesAndMarksItsInstancesDestroyed() {
        store.createApp("hello", "iad", T0);
        store.createApp("other", "iad", T0);
        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        store.insertInstance(newInstance("i2", "hello", 1, "host-2"));
        store.insertInstance(newInstance("o1", "other", 1, "host-1"));
        long index = store.index();

        assertThat(store.deleteApp("hello")).isTrue();

        assertThat(store.index()).isEqualTo(index + 1);
        assertThat(store.findApp("hello")).isEmpty();
        assertThat(store.listReleases("hello")).isEmpty();
        assertThat(store.listInstances("hello")).extracting(Instance::desired)
                .containsExactly(DesiredState.DESTROYED, DesiredState.DESTROYED);
        assertThat(store.findInstance("o1").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(store.deleteApp("hello")).isFalse();
        assertThat(store.index()).isEqualTo(index + 1);

        // the name is free again, and its versions start over with its new releases
        store.createApp("hello", "ams", at(9));
        assertThat(store.createRelease("hello", "sha256:9", fullConfig("hello"), at(9), null).version()).isEqualTo(1);
    }

    @Test
    void hostRoundTripsAndAHeartbeatDoesNotBumpTheIndex() {
        Host host = new Host("host-1", "iad", "127.1.0.10", 4096, at(0));
        assertThat(store.upsertHost(host)).isEqualTo(host);
        long index = store.index();
        assertThat(index).isEqualTo(2);

        Host heartbeat = new Host("host-1", "iad", "127.1.0.10", 4096, at(10));
        assertThat(store.upsertHost(heartbeat)).isEqualTo(heartbeat);
        assertThat(store.index()).isEqualTo(index);
        assertThat(store.findHost("host-1")).contains(heartbeat);

        Host moved = new Host("host-1", "iad", "127.1.0.11", 8192, at(20));
        store.upsertHost(moved);
        assertThat(store.index()).isEqualTo(index + 1);
        store.upsertHost(new Host("host-0", "ams", "127.2.0.10", 1024, null));
        assertThat(store.listHosts()).containsExactly(new Host("host-0", "ams", "127.2.0.10", 1024, null), moved);
        assertThat(store.findHost("nope")).isEmpty();
    }

    @Test
    void instanceRoundTripsWithAllFields() {
        Instance full = fullInstance("i-full", "hello");
        Instance bare = newInstance("i-bare", "hello", 1, "host-2");
        Instance elsewhere = newInstance("i-else", "other", 1, "host-1");
        store.insertInstance(full);
        store.insertInstance(bare);
        store.insertInstance(elsewhere);

        assertThat(store.findInstance("i-full")).contains(full);
        assertThat(store.findInstance("i-bare")).contains(bare);
        assertThat(store.findInstance("nope")).isEmpty();
        assertThat(store.listInstances()).containsExactlyInAnyOrder(full, bare, elsewhere);
        assertThat(store.listInstances("hello")).containsExactlyInAnyOrder(full, bare);
        assertThat(store.listInstancesOnHost("host-1")).containsExactlyInAnyOrder(full, elsewhere);
        assertThatThrownBy(() -> store.insertInstance(bare))
                .isInstanceOf(StoreException.Conflict.class)
                .hasMessageContaining("i-bare");
    }

    @Test
    void applyReportRecordsChangesAndIgnoresRepeats() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        long index = store.index();

        assertThat(store.applyReport("i1", startedReport(40001), at(5))).isTrue();
        assertThat(store.index()).isEqualTo(index + 1);
        Instance started = store.findInstance("i1").orElseThrow();
        assertThat(started).isEqualTo(new Instance("i1", "hello", 1, "iad", "host-1", "127.1.1.5", 40001,
                InstanceState.STARTED, DesiredState.RUNNING, Health.PASSING, null, null, 0, List.of(), at(0), at(5)));

        assertThat(store.applyReport("i1", startedReport(40001), at(6))).isFalse();
        assertThat(store.index()).isEqualTo(index + 1);

        InstanceReport failed = new InstanceReport(InstanceState.FAILED, Health.FAILING, "127.1.1.5", 40001, 1,
                "exited", 2, List.of("boom", "bye"));
        assertThat(store.applyReport("i1", failed, at(7))).isTrue();
        assertThat(store.index()).isEqualTo(index + 2);
        Instance after = store.findInstance("i1").orElseThrow();
        assertThat(after.state()).isEqualTo(InstanceState.FAILED);
        assertThat(after.exitCode()).isEqualTo(1);
        assertThat(after.message()).isEqualTo("exited");
        assertThat(after.restarts()).isEqualTo(2);
        assertThat(after.logTail()).containsExactly("boom", "bye");
        assertThat(after.updatedAt()).isEqualTo(at(7));

        assertThatThrownBy(() -> store.applyReport("nope", failed, at(8)))
                .isInstanceOf(StoreException.NotFound.class)
                .hasMessageContaining("nope");
    }

    @Test
    void setDesiredBumpsOnlyWhenItChanges() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        long index = store.index();

        store.setDesired("i1", DesiredState.RUNNING);
        assertThat(store.index()).isEqualTo(index);

        store.setDesired("i1", DesiredState.STOPPED);
        assertThat(store.index()).isEqualTo(index + 1);
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThatThrownBy(() -> store.setDesired("nope", DesiredState.STOPPED)).isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void deleteInstanceRemovesItAndIsQuietWhenAlreadyGone() {
        store.insertInstance(newInstance("i1", "hello", 1, "host-1"));
        long index = store.index();

        store.deleteInstance("i1", at(9));
        assertThat(store.findInstance("i1")).isEmpty();
        assertThat(store.index()).isEqualTo(index + 1);

        store.deleteInstance("i1", at(9));
        assertThat(store.index()).isEqualTo(index + 1);
    }

    @Test
    void tokensRoundTripAndAreFoundByHash() {
        Token admin = new Token("t1", "laptop", "hash-1", true, at(1));
        Token agent = new Token("t2", "agent iad", "hash-2", false, at(2));
        store.insertToken(admin);
        store.insertToken(agent);

        assertThat(store.findTokenByHash("hash-2")).contains(agent);
        assertThat(store.findTokenByHash("hash-3")).isEmpty();
        assertThat(store.listTokens()).containsExactly(admin, agent);
        assertThatThrownBy(() -> store.insertToken(new Token("t3", "copy", "hash-1", false, at(3))))
                .isInstanceOf(StoreException.Conflict.class);

        assertThat(store.deleteToken("t1")).isTrue();
        assertThat(store.deleteToken("t1")).isFalse();
        assertThat(store.listTokens()).containsExactly(agent);
    }

    @Test
    void writesBumpTheIndexAndNoOpWritesDoNot() {
        long index = store.index();
        store.createApp("hello", "iad", T0);
        assertThat(store.index()).isEqualTo(index + 1);

        store.setScale("hello", Map.of("iad", 1));
        store.setScale("hello", Map.of("iad", 1));
        store.setCurrentRelease("hello", null);
        assertThat(store.index()).isEqualTo(index + 2);

        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        store.updateRelease("hello", 1, ReleaseStatus.ACTIVE, "ok", null);
        store.updateRelease("hello", 1, ReleaseStatus.ACTIVE, "ok", null);
        store.setCurrentRelease("hello", 1);
        store.setCurrentRelease("hello", 1);
        assertThat(store.index()).isEqualTo(index + 5);

        store.insertToken(new Token("t1", "n", "h", false, T0));
        store.deleteToken("t1");
        store.deleteToken("t1");
        assertThat(store.index()).isEqualTo(index + 7);
    }

    @Test
    void onChangeIsCalledWithTheNewIndexAfterEachBumpingWrite() {
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        store.onChange(seen::add);
        long index = store.index();

        store.createApp("hello", "iad", T0);
        store.setScale("hello", Map.of());
        store.setScale("hello", Map.of("iad", 1));

        assertThat(seen).containsExactly(index + 1, index + 2);
        assertThat(store.index()).isEqualTo(index + 2);
    }

    @Test
    void aSnapshotWhoseReadsAWriteCameBetweenReadsAgainAndSeesOneState() throws Exception {
        store.createApp("a", "iad", T0);
        AtomicInteger calls = new AtomicInteger();
        try (ExecutorService writer = Executors.newSingleThreadExecutor()) {
            Store.Snapshot<List<List<String>>> read = store.snapshot(() -> {
                List<String> first = store.listApps().stream().map(App::name).toList();
                if (calls.incrementAndGet() == 1) {
                    await(writer.submit(() -> store.createApp("b", "iad", T0)));
                }
                return List.of(first, store.listApps().stream().map(App::name).toList());
            });
            assertThat(calls).as("the torn first attempt was read again").hasValue(2);
            assertThat(read.value()).containsExactly(List.of("a", "b"), List.of("a", "b"));
            assertThat(read.index()).isEqualTo(store.index());
        }
    }

    @Test
    void aSnapshotUnderWritesWithoutPauseHoldsTheWriteLockForItsLastAttempt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Future<?>> writes = new ArrayList<>();
        try (ExecutorService writer = Executors.newSingleThreadExecutor()) {
            Store.Snapshot<List<String>> read = store.snapshot(() -> {
                List<String> names = store.listApps().stream().map(App::name).toList();
                int attempt = calls.incrementAndGet();
                Future<?> write = writer.submit(() -> store.createApp("app" + attempt, "iad", T0));
                writes.add(write);
                if (attempt <= 3) {
                    // No lock yet: the write commits between this attempt's reads and its check, however slow the database.
                    await(write);
                } else {
                    try {
                        write.get(300, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException held) {
                        // the write waits for the snapshot's lock; had it committed, the snapshot would try a fifth time
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return names;
            });
            assertThat(calls).as("three torn attempts, then one that held writes back").hasValue(4);
            assertThat(read.value()).containsExactly("app1", "app2", "app3");
            await(writes.get(3));
            assertThat(store.listApps()).hasSize(4);
        }
    }

    private static void await(Future<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sixteenConcurrentWritersAllSucceedAndEachBumpsTheIndexOnce() throws Exception {
        int threads = 16;
        int rounds = 5;
        List<Long> seen = Collections.synchronizedList(new ArrayList<>());
        store.onChange(seen::add);
        long start = store.index();
        CountDownLatch go = new CountDownLatch(1);

        try (ExecutorService pool = Executors.newFixedThreadPool(threads + 2)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    go.await();
                    for (int r = 0; r < rounds; r++) {
                        String app = "app-" + thread + "-" + r;
                        store.createApp(app, "iad", T0);
                        store.insertInstance(newInstance("i-" + thread + "-" + r, app, 1, "host-" + thread));
                        store.applyReport("i-" + thread + "-" + r, startedReport(40000 + r), at(r));
                        store.setScale(app, Map.of("iad", r + 1));
                    }
                    return null;
                }));
            }
            // readers alongside the writers: WAL lets them run while a write is in progress
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    go.await();
                    int reads = 0;
                    do {
                        store.listInstances();
                        store.index();
                        reads++;
                    } while (writers.stream().anyMatch(f -> !f.isDone()));
                    return reads;
                }));
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            }
        }

        int writes = threads * rounds * 4;
        assertThat(store.index()).isEqualTo(start + writes);
        assertThat(store.listApps()).hasSize(threads * rounds);
        assertThat(store.listInstances()).hasSize(threads * rounds)
                .allMatch(i -> i.state() == InstanceState.STARTED);
        assertThat(seen).hasSize(writes).isSorted().doesNotHaveDuplicates();
        assertThat(seen.getLast()).isEqualTo(start + writes);
    }
}
