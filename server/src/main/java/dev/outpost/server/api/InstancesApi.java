package dev.outpost.server.api;

import dev.outpost.core.api.InstanceAction;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.store.Scheduling;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code outpost instances}: list instances, and start, stop, restart or destroy one. Each action
 * only changes what the instance should be ({@code desired}); the agent and the scheduler do the
 * rest. A stopped instance keeps its place (the scheduler counts it and does not replace it); a
 * restart stops it first and the scheduler starts it again once its agent reports it stopped; a
 * destroyed one is replaced when its region falls below its count.
 */
public final class InstancesApi {
    private final Store store;
    private final Scheduling scheduling;

    public InstancesApi(Store store) {
        this.store = store;
        this.scheduling = store.scheduling();
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/instances", this::list);
        routes.post("/v1/instances/{id}/start", this::start);
        routes.post("/v1/instances/{id}/stop", this::stop);
        routes.post("/v1/instances/{id}/restart", this::restart);
        routes.delete("/v1/instances/{id}", this::destroy);
    }

    /** Every instance not on its way out, or only those of {@code ?app=NAME}; by app, region, age. */
    private void list(Context ctx) {
        String app = ctx.queryParam("app");
        List<Instance> all;
        if (app == null || app.isBlank()) {
            all = store.listInstances();
        } else {
            AppsApi.app(store, app);
            all = store.listInstances(app);
        }
        ctx.json(all.stream().filter(i -> i.desired() != DesiredState.DESTROYED)
                .sorted(Comparator.comparing(Instance::app).thenComparing(Instance::region).thenComparing(Instance::createdAt))
                .toList());
    }

    private void start(Context ctx) {
        Instance i = live(ctx, "started");
        if (i.desired() == DesiredState.RUNNING && !scheduling.restartsRequested().contains(i.id())) {
            ctx.json(new InstanceAction("start", false, i, describe(i) + " is already wanted running (it is " + i.state().wire() + ")"));
            return;
        }
        scheduling.changeDesired(i.id(), DesiredState.RUNNING);
        ctx.json(new InstanceAction("start", true, now(i), "starting " + describe(i)));
    }

    private void stop(Context ctx) {
        Instance i = live(ctx, "stopped");
        if (i.desired() == DesiredState.STOPPED && !scheduling.restartsRequested().contains(i.id())) {
            ctx.json(new InstanceAction("stop", false, i, describe(i) + " is already stopped (or stopping)"));
            return;
        }
        scheduling.changeDesired(i.id(), DesiredState.STOPPED);
        ctx.json(new InstanceAction("stop", true, now(i), "stopping " + describe(i)
                + ": it keeps its place, so nothing replaces it; `outpost instances start " + i.id() + "` starts it again"));
    }

    private void restart(Context ctx) {
        Instance i = live(ctx, "restarted");
        scheduling.requestRestart(i.id());
        ctx.json(new InstanceAction("restart", true, now(i), "restarting " + describe(i)
                + ": it stops (draining its requests), then starts again"));
    }

    private void destroy(Context ctx) {
        String id = ctx.pathParam("id");
        Instance i = find(id);
        if (i.desired() == DesiredState.DESTROYED) {
            throw ApiException.conflict("instance " + id + " is already being destroyed");
        }
        scheduling.changeDesired(id, DesiredState.DESTROYED);
        ctx.json(new InstanceAction("destroy", true, now(i), "destroying " + describe(i) + "; " + replacement(i)));
    }

    /** The instance of the path, 404 when unknown, 409 when it is being destroyed and so cannot be {@code verb}. */
    private Instance live(Context ctx, String verb) {
        String id = ctx.pathParam("id");
        Instance i = find(id);
        if (i.desired() == DesiredState.DESTROYED) {
            throw ApiException.conflict("instance " + id + " is being destroyed, so it cannot be " + verb
                    + " (outpost instances list shows the instances that remain)");
        }
        return i;
    }

    private Instance find(String id) {
        return store.findInstance(id).orElseThrow(() ->
                ApiException.notFound("instance " + id + " not found (outpost instances list shows the instances)"));
    }

    /** The instance after the write; the one before if it was forgotten in between. */
    private Instance now(Instance before) {
        return store.findInstance(before.id()).orElse(before);
    }

    /** What the scheduler will do about the hole a destroyed instance leaves. */
    private String replacement(Instance i) {
        Optional<App> app = store.findApp(i.app());
        if (app.isEmpty()) {
            return "its app no longer exists, so nothing replaces it";
        }
        int count = app.get().scale().getOrDefault(i.region(), 0);
        long remaining = store.listInstances(i.app()).stream()
                .filter(o -> !o.id().equals(i.id()) && o.region().equals(i.region()) && o.desired() != DesiredState.DESTROYED)
                .count();
        if (remaining < count) {
            return i.region() + " wants " + count + " and keeps " + remaining + ", so a fresh instance will be placed there";
        }
        return i.region() + " wants " + count + " and keeps " + remaining + ", so nothing replaces it";
    }

    private static String describe(Instance i) {
        return "instance " + i.id() + " (" + i.app() + " v" + i.release() + " in " + i.region() + ")";
    }
}
