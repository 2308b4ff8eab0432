package dev.outpost.server.api;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The routing table every edge proxy watches. */
public final class RoutesApi {
    private final Store store;

    public RoutesApi(Store store) {
        this.store = store;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/routes", this::routes);
    }

    private void routes(Context ctx) {
        long index = Blocking.index(ctx);
        Map<String, List<Instance>> byApp = store.listInstances().stream().filter(Instance::routable)
                .collect(Collectors.groupingBy(Instance::app));
        List<RoutingTable.AppRoute> out = new ArrayList<>();
        for (App app : store.listApps()) {
            AppConfig.Concurrency c = concurrency(app);
            List<RoutingTable.Target> targets = byApp.getOrDefault(app.name(), List.of()).stream()
                    .map(i -> new RoutingTable.Target(i.id(), i.region(), i.address(), i.port(), i.release())).toList();
            out.add(new RoutingTable.AppRoute(app.name(), c.softLimit(), c.hardLimit(), c.type(), targets));
        }
        ctx.json(new RoutingTable(index, out));
    }

    private AppConfig.Concurrency concurrency(App app) {
        if (app.currentRelease() == null) {
            return AppConfig.Concurrency.DEFAULT;
        }
        return store.findRelease(app.name(), app.currentRelease()).map(Release::config)
                .flatMap(c -> c.services().stream().findFirst()).map(AppConfig.Service::concurrency)
                .orElse(AppConfig.Concurrency.DEFAULT);
    }
}
