package dev.outpost.proxy.control;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static dev.outpost.proxy.testing.Routes.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.testing.FakeRoutesServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteWatcherTest {
    private static final RouteWatcher.Timing FAST = new RouteWatcher.Timing(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(400));

    private final List<RoutingTable> received = new CopyOnWriteArrayList<>();
    private FakeRoutesServer server;
    private RouteWatcher watcher;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeRoutesServer();
    }

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.close();
        }
        server.close();
    }

    private List<Long> indexes() {
        return received.stream().map(RoutingTable::index).toList();
    }

    @Test
    void deliversTheCurrentTableThenEachNewOneAsTheBlockingQueryReturns() {
        server.publish(table(1, app("hello", target("i1", "iad", 1001))));
        watcher = new RouteWatcher(server.api(), FakeRoutesServer.TOKEN, received::add, FAST);
        watcher.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> indexes().equals(List.of(1L)));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.blocked() == 1);
        server.publish(table(2, app("hello", target("i2", "iad", 1002))));

        await().atMost(Duration.ofSeconds(5)).until(() -> indexes().equals(List.of(1L, 2L)));
        assertThat(received.get(1).apps().get(0).targets().get(0).instanceId()).isEqualTo("i2");
        List<FakeRoutesServer.Call> calls = server.calls();
        assertThat(calls).extracting(FakeRoutesServer.Call::query).startsWith("index=0&wait=30s", "index=1&wait=30s");
        assertThat(calls).extracting(FakeRoutesServer.Call::authorization).containsOnly("Bearer " + FakeRoutesServer.TOKEN);
        // Held queries, not polling: one call per table plus the one now waiting for the next.
        assertThat(calls).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void keepsTheLastTableAndBacksOffWhileTheServerFails() {
        server.publish(table(1, app("hello")));
        watcher = new RouteWatcher(server.api(), FakeRoutesServer.TOKEN, received::add, FAST);
        watcher.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> indexes().equals(List.of(1L)));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.blocked() == 1);

        server.failing(true);
        server.publish(table(2, app("hello")));
        await().atMost(Duration.ofSeconds(10)).until(() -> failures().size() >= 4);

        assertThat(indexes()).containsExactly(1L);
        List<Long> at = failures().stream().map(FakeRoutesServer.Call::atNanos).toList();
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(Duration.ofNanos(at.get(2) - at.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(at.get(3) - at.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(400));

        server.publish(table(3, app("hello")));
        server.failing(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> indexes().equals(List.of(1L, 3L)));
    }

    private List<FakeRoutesServer.Call> failures() {
        return server.calls().stream().filter(c -> c.status() == 500).toList();
    }

    @Test
    void deliversNothingWithAWrongToken() {
        server.publish(table(1, app("hello")));
        watcher = new RouteWatcher(server.api(), "op_wrong", received::add, FAST);
        watcher.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> server.calls().size() >= 2);

        assertThat(received).isEmpty();
        assertThat(server.calls()).extracting(FakeRoutesServer.Call::status).containsOnly(401);
    }

    @Test
    void closeEndsAQueryInProgress() {
        server.publish(table(1, app("hello")));
        watcher = new RouteWatcher(server.api(), FakeRoutesServer.TOKEN, received::add, FAST);
        watcher.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.blocked() == 1);

        watcher.close();

        assertThat(watcher.isRunning()).isFalse();
    }

    @Test
    void rejectsAnAddressThatIsNotHttp() {
        assertThatThrownBy(() -> new RouteWatcher(URI.create("ftp://127.0.0.1"), "t", t -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ftp://127.0.0.1");
    }
}
