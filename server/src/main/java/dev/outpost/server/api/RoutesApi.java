package dev.outpost.server.api;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.server.scheduler.DeployStrategy;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The routing table every edge proxy watches: per app, its routable instances (started, checks
 * passing, wanted running). While a blue-green release is deploying and a current release exists,
 * only the current release's instances are listed, so the new set takes no traffic until the
 * release switches (in one store write, hence one table for every edge). An app with {@code [scale] autostart}
 * also lists the instances an edge may start on demand ({@link #startable}); a suspended app lists none.
 */
public final class RoutesApi {
    private final Store store;

    public RoutesApi(Store store) {
        this.store = store;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/routes", this::routes);
    }

    private void routes(Context ctx) {
        // Several reads make one table: they must all see the same state, or a blue-green switch that
        // commits between them shows edges old and new sets at once (or neither).
        Store.Snapshot<List<RoutingTable.AppRoute>> read = store.snapshot(this::table);
        long index = Math.max(Blocking.index(ctx), read.index());
        ctx.header("Outpost-Index", Long.toString(index));
        ctx.json(new RoutingTable(index, read.value()));
    }

    private List<RoutingTable.AppRoute> table() {
        Map<String, List<Instance>> all = store.listInstances().stream().collect(Collectors.groupingBy(Instance::app));
        Set<String> restarting = store.scheduling().restartsRequested();
        // The newest deploying release of an app is its deploy target (older ones are being superseded).
        Set<String> blueGreen = store.scheduling().deploying().stream()
                .collect(Collectors.toMap(Release::app, r -> r, (a, b) -> a.version() > b.version() ? a : b)).values().stream()
                .filter(r -> DeployStrategy.of(r.config().deploy()) == DeployStrategy.BLUEGREEN)
                .map(Release::app).collect(Collectors.toSet());
        List<RoutingTable.AppRoute> out = new ArrayList<>();
        Map<String, Integer> offsets = store.addresses().all();
        for (App app : store.listApps()) {
            // The serving release's config, read once: its services, their limits and autostart.
            AppConfig serving = app.currentRelease() == null ? null
                    : store.findRelease(app.name(), app.currentRelease()).map(Release::config).orElse(null);
            List<AppConfig.Service> services = serving == null ? List.of() : serving.services();
            AppConfig.Concurrency c = services.stream().findFirst().map(AppConfig.Service::concurrency)
                    .orElse(AppConfig.Concurrency.DEFAULT);
            boolean oldSetOnly = blueGreen.contains(app.name()) && app.currentRelease() != null;
            List<RoutingTable.Target> targets = all.getOrDefault(app.name(), List.of()).stream().filter(Instance::routable)
                    .filter(i -> !oldSetOnly || i.release() == app.currentRelease())
                    .map(i -> new RoutingTable.Target(i.id(), i.region(), i.address(), i.port(), i.release())).toList();
            List<RoutingTable.PortRoute> ports = services.stream().flatMap(s -> s.ports().stream())
                    .map(p -> new RoutingTable.PortRoute(p.port(), p.handlers(), p.proxyProtoVersion(), p.idleTimeout())).toList();
            boolean autostart = serving != null && serving.scale().autostart();
            List<RoutingTable.Target> stopped = autostart ? startable(app, all.getOrDefault(app.name(), List.of()), restarting)
                    : List.of();
            // One timeout per app, as the limits: the longest its services set, so none is cut shorter than it asked;
            // null when none set one (the edge's defaults then apply).
            Duration responseTimeout = services.stream().map(AppConfig.Service::responseTimeout).filter(Objects::nonNull)
                    .max(Comparator.naturalOrder()).orElse(null);
            out.add(new RoutingTable.AppRoute(app.name(), c.softLimit(), c.hardLimit(), c.type(), targets,
                    offsets.getOrDefault(app.name(), 0), ports, services.stream().anyMatch(AppConfig.Service::h2Backend),
                    null, autostart, stopped, responseTimeout));
        }
        // A suspended app (monthly budget reached) is answered 503 with the reason; nothing may start it on demand.
        Map<String, String> suspended = store.budgets().suspended();
        out.replaceAll(r -> !suspended.containsKey(r.app()) ? r : new RoutingTable.AppRoute(r.app(), r.softLimit(), r.hardLimit(),
                r.concurrencyType(), r.targets(), r.addressOffset(), r.ports(), r.h2Backend(), suspended.get(r.app()), false, List.of(),
                r.responseTimeout()));
        return out;
    }

    /**
     * The instances an edge may start on demand: those of the serving release wanted stopped (not by a restart,
     * which starts them anyway), and those already on their way up (wanted running and stopped still, created, starting, or started with no check result yet), so that
     * every edge holds its requests while another edge's start is in flight. An instance that failed is left out:
     * its restarts are the scheduler's business, and holding requests for it would only delay their 503.
     */
    static List<RoutingTable.Target> startable(App app, List<Instance> instances, Set<String> restarting) {
        return instances.stream()
                .filter(i -> i.release() == app.currentRelease() && i.hostId() != null && !restarting.contains(i.id()))
                .filter(i -> i.desired() == DesiredState.STOPPED && i.state() != InstanceState.DESTROYED
                        || i.desired() == DesiredState.RUNNING && !i.routable()
                        && (i.state() == InstanceState.CREATED || i.state() == InstanceState.STARTING || i.state() == InstanceState.STOPPED
                        || i.state() == InstanceState.STARTED && i.health() == Health.UNKNOWN))
                .map(i -> new RoutingTable.Target(i.id(), i.region(), i.address(), i.port() == null ? 0 : i.port(), i.release()))
                .toList();
    }
}
