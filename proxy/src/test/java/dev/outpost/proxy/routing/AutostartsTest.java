package dev.outpost.proxy.routing;

import static dev.outpost.proxy.testing.Routes.table;
import static dev.outpost.proxy.testing.Routes.target;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** One start per app per edge, nearest stopped instance first, done when a table lists the app. */
class AutostartsTest {
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final AtomicInteger counted = new AtomicInteger();

    private static dev.outpost.core.api.RoutingTable.AppRoute stopped(String app, dev.outpost.core.api.RoutingTable.Target... running) {
        return new dev.outpost.core.api.RoutingTable.AppRoute(app, 20, 25, "requests", List.of(running), 0, List.of(), false, null,
                true, List.of(target("far", "syd", 0), target("near", "lax", 0), target("here", "iad", 0)));
    }

    @Test
    void asksOnceForTheNearestStoppedInstanceAndCompletesWhenATableListsTheApp() {
        AtomicReference<RoutingTable> current = new AtomicReference<>(RoutingTable.from(table(1, stopped("hello")), "iad",
                RoutingTable.empty("iad")));
        Autostarts starts = new Autostarts(current::get, (app, id) -> {
            asked.add(app + "/" + id);
            return CompletableFuture.completedFuture(null);
        }, counted::incrementAndGet, Duration.ofSeconds(10));
        RoutingTable.AppRoutes hello = current.get().app("hello").orElseThrow();

        CompletableFuture<Void> first = starts.start(hello);
        CompletableFuture<Void> second = starts.start(hello);

        assertThat(second).isSameAs(first);
        assertThat(asked).containsExactly("hello/here");
        assertThat(counted).hasValue(1);
        assertThat(starts.pending("hello")).isTrue();
        starts.routesChanged(RoutingTable.from(table(2, stopped("other")), "iad", current.get()));
        assertThat(first).isNotDone();

        current.set(RoutingTable.from(table(3, stopped("hello", target("here", "iad", 4000))), "iad", current.get()));
        starts.routesChanged(current.get());
        assertThat(first).isCompleted();
        assertThat(starts.pending("hello")).isFalse();
    }

    @Test
    void aStarterThatThrowsFailsTheStartWithItsMessageAndTheNextOneAsksAgain() throws Exception {
        RoutingTable table = RoutingTable.from(table(1, stopped("hello")), "iad", RoutingTable.empty("iad"));
        Autostarts starts = new Autostarts(() -> table, (app, id) -> {
            asked.add(id);
            throw new IllegalStateException("no control plane today");
        }, counted::incrementAndGet, Duration.ofSeconds(10));

        CompletableFuture<Void> start = starts.start(table.app("hello").orElseThrow());

        Assertions.assertThatThrownBy(() -> start.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("no control plane today");
        assertThat(starts.pending("hello")).isFalse();
        starts.start(table.app("hello").orElseThrow());
        assertThat(asked).containsExactly("here", "here");
    }
}
