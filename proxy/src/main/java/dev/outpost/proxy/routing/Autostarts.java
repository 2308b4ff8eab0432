package dev.outpost.proxy.routing;

import dev.outpost.core.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The starts of stopped instances this edge asked for (issue 6, autostart): at most one per app at a time.
 * The first request of an app that finds no instance with room picks the nearest startable instance of its
 * routing table and asks the {@link Starter}; every request arriving while that start is in flight shares its
 * future. The future completes when a routing table lists an instance of the app ({@link #routesChanged}),
 * or exceptionally when the control plane refused or could not be reached; either way the app may start
 * again afterwards. A start that shows up in no table within {@code expireAfter} (the instance failed to start)
 * is forgotten, so a later request asks again; requests still holding then are answered by their own timeout. Thread-safe: requests of every event loop share it.
 */
public final class Autostarts {
    private static final Logger LOG = LoggerFactory.getLogger(Autostarts.class);

    /** Asks the control plane to start {@code instanceId} of {@code app}; completes once it accepted. */
    @FunctionalInterface
    public interface Starter {
        CompletableFuture<Void> start(String app, String instanceId);
    }

    /** An edge with no control plane (tests, a proxy fed tables by hand): a start fails with the reason. */
    public static final Starter NONE = (app, instanceId) -> CompletableFuture.failedFuture(new IllegalStateException(
            "this edge has no control plane to start instance " + instanceId + " with"));

    private final Supplier<RoutingTable> routes;
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private volatile Starter starter;
    private final Runnable onStart;
    private final Duration expireAfter;

    /**
     * @param routes  the current table: a start that the table already satisfies completes at once
     * @param onStart called once per start asked of the control plane (the autostart counter)
     * @param expireAfter how long a start may stay in flight before a new request asks again
     */
    public Autostarts(Supplier<RoutingTable> routes, Starter starter, Runnable onStart, Duration expireAfter) {
        this.routes = routes;
        this.starter = starter;
        this.onStart = onStart;
        this.expireAfter = expireAfter;
    }

    /** Sends later starts to {@code starter} (once the edge knows its control plane). */
    public void use(Starter starter) {
        this.starter = starter;
    }

    /** True while a start of {@code app} asked by this edge has not shown up in the routing table. */
    public boolean pending(String app) {
        return inFlight.containsKey(app);
    }

    /**
     * The start of {@code app}'s nearest stopped instance: the one in flight, or a new one. Completes when the
     * routing table lists an instance of the app; fails when {@code app} has nothing to start or the control
     * plane refused.
     */
    public CompletableFuture<Void> start(RoutingTable.AppRoutes app) {
        CompletableFuture<Void> running = inFlight.get(app.app());
        if (running != null) {
            return running;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        running = inFlight.putIfAbsent(app.app(), mine);
        if (running != null) {
            return running;
        }
        long began = System.nanoTime();
        mine.whenComplete((ok, error) -> {
            inFlight.remove(app.app(), mine);
            if (error == null) {
                LOG.info("app {}: an instance is routable {} ms after this edge asked to start one", app.app(),
                        (System.nanoTime() - began) / 1_000_000);
            }
        });
        if (app.stopped().isEmpty()) {
            mine.completeExceptionally(new IllegalStateException("app " + app.app() + " has no stopped instance to start"));
            return mine;
        }
        RoutingTable.Stopped nearest = app.stopped().getFirst();
        CompletableFuture.delayedExecutor(expireAfter.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (inFlight.remove(app.app(), mine)) {
                LOG.warn("app {}: instance {} is not routable {} after this edge asked to start it; the next request asks again",
                        app.app(), nearest.instanceId(), Durations.format(expireAfter));
            }
        });
        onStart.run();
        CompletableFuture<Void> asked;
        try {
            asked = starter.start(app.app(), nearest.instanceId());
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        asked.whenComplete((ok, error) -> {
            if (error != null) {
                mine.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
        // A table listing the app may have been swapped in between the caller's read and the registration above.
        if (listed(routes.get(), app.app())) {
            mine.complete(null);
        }
        return mine;
    }

    /** A new table was swapped in: the starts of the apps it lists an instance of are done. */
    public void routesChanged(RoutingTable table) {
        if (inFlight.isEmpty()) {
            return;
        }
        inFlight.forEach((app, future) -> {
            if (listed(table, app)) {
                future.complete(null);
            }
        });
    }

    private static boolean listed(RoutingTable table, String app) {
        return table.app(app).map(a -> !a.isEmpty()).orElse(false);
    }
}
