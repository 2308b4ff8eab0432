package dev.outpost.server.api;

import dev.outpost.core.api.AutostartRequest;
import dev.outpost.core.api.InstanceAction;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.server.events.EventSink;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * {@code POST /v1/apps/{app}/autostart}: what an edge calls when a request finds no instance with room
 * and the app has {@code [scale] autostart = true}. Narrower than {@code POST /v1/instances/{id}/start}: only an
 * instance of the app's serving release, only with autostart on, never for a suspended app (its budget stopped
 * it). Idempotent: an instance already wanted running (another edge's start in flight) is answered
 * {@code changed=false} and left alone, so edges may ask at once. Each start is an event
 * ({@code instance.autostart}) naming the instance, its region and the edge whose request started it.
 */
public final class AutostartApi {
    private final Store store;
    private final EventSink events;

    public AutostartApi(Store store, EventSink events) {
        this.store = store;
        this.events = events;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apps/{app}/autostart", this::autostart);
    }

    private void autostart(Context ctx) {
        App app = AppsApi.app(store, ctx.pathParam("app"));
        AutostartRequest req = Requests.body(ctx, AutostartRequest.class);
        if (req.instance() == null || req.instance().isBlank()) {
            throw ApiException.badRequest("field instance is missing: name the stopped instance to start");
        }
        String suspended = store.budgets().suspended().get(app.name());
        if (suspended != null) {
            throw ApiException.conflict("app " + app.name() + " is suspended, so nothing starts on demand: " + suspended);
        }
        boolean autostart = app.currentRelease() != null && store.findRelease(app.name(), app.currentRelease())
                .map(r -> r.config().scale().autostart()).orElse(false);
        if (!autostart) {
            throw ApiException.conflict("app " + app.name() + " does not start instances on demand: its serving release has no"
                    + " [scale] autostart = true");
        }
        Instance i = store.findInstance(req.instance()).filter(x -> x.app().equals(app.name())).orElseThrow(() ->
                ApiException.notFound("instance " + req.instance() + " of app " + app.name() + " not found"));
        if (i.desired() == DesiredState.DESTROYED || i.release() != app.currentRelease()) {
            throw ApiException.conflict("instance " + i.id() + " cannot be started on demand: "
                    + (i.desired() == DesiredState.DESTROYED ? "it is being destroyed"
                    : "it runs v" + i.release() + ", not the serving v" + app.currentRelease()));
        }
        String edge = req.edge() == null || req.edge().isBlank() ? "an edge" : "edge " + req.edge();
        // The write returns the instance as it was: of two edges asking at once, only the one that changed it records the event.
        Instance before = i.desired() == DesiredState.RUNNING ? i : store.scheduling().changeDesired(i.id(), DesiredState.RUNNING);
        if (before.desired() == DesiredState.RUNNING) {
            ctx.json(new InstanceAction("autostart", false, i, "instance " + i.id() + " in " + i.region()
                    + " is already wanted running (it is " + i.state().wire() + ")"));
            return;
        }
        Instance started = store.findInstance(i.id()).orElse(i);
        String message = "autostart: instance " + i.id() + " in " + i.region() + " started by a request at " + edge
                + (req.region() == null || req.region().isBlank() ? "" : " (" + req.region() + ")");
        events.record(app.name(), "instance.autostart", message, Map.of("instance", i.id(), "region", i.region(),
                "edge", req.edge() == null ? "" : req.edge()));
        ctx.json(new InstanceAction("autostart", true, started, message));
    }
}
