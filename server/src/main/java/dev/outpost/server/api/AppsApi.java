package dev.outpost.server.api;

import dev.outpost.core.api.AppStatus;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.RegionDirectory;
import dev.outpost.server.meter.Prices;
import dev.outpost.server.registry.Registry;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Apps: create, list, show, destroy, scale, and the status the CLI follows during a deploy. */
public final class AppsApi {
    static final int MAX_PER_REGION = AppConfig.Scale.MAX_PER_REGION;

    private final Store store;
    private final RegionDirectory regions;
    private final Clock clock;
    private final Registry registry;
    private final Prices prices;

    public AppsApi(Store store, RegionDirectory regions, Clock clock, Registry registry, Prices prices) {
        this.store = store;
        this.regions = regions;
        this.clock = clock;
        this.registry = registry;
        this.prices = prices;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps", ctx -> ctx.json(store.listApps()));
        routes.post("/v1/apps", this::create);
        routes.get("/v1/apps/{app}", ctx -> ctx.json(app(store, ctx.pathParam("app"))));
        routes.delete("/v1/apps/{app}", this::destroy);
        routes.put("/v1/apps/{app}/scale", this::scale);
        routes.get("/v1/apps/{app}/status", this::status);
        routes.get("/v1/apps/{app}/instances", ctx -> {
            app(store, ctx.pathParam("app"));
            ctx.json(visible(store.listInstances(ctx.pathParam("app"))));
        });
    }

    /** The app named {@code name}, or a 404 that says how to find the right name. */
    public static App app(Store store, String name) {
        return store.findApp(name).orElseThrow(() ->
                ApiException.notFound("app " + name + " not found (outpost apps list shows your apps)"));
    }

    private void create(Context ctx) {
        CreateAppRequest req = Requests.body(ctx, CreateAppRequest.class);
        String problem = App.checkName(req.name());
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        String primary = req.primaryRegion();
        if (primary == null || primary.isBlank()) {
            List<String> codes = regions.codes();
            if (codes.isEmpty()) {
                throw ApiException.badRequest("no region has an agent yet: start one (outpost dev starts one per region)");
            }
            primary = codes.get(0);
        } else {
            regions.require(primary);
        }
        if (store.findApp(req.name()).isPresent()) {
            throw ApiException.conflict("app " + req.name() + " already exists");
        }
        ctx.status(201).json(store.createApp(req.name(), primary, clock.instant()));
    }

    private void destroy(Context ctx) {
        String name = ctx.pathParam("app");
        if (!store.deleteApp(name)) {
            throw ApiException.notFound("app " + name + " not found (outpost apps list shows your apps)");
        }
        registry.deleteRepository(name);
        ctx.status(204);
    }

    private void scale(Context ctx) {
        String name = ctx.pathParam("app");
        App app = app(store, name);
        ScaleRequest req = Requests.body(ctx, ScaleRequest.class);
        if (req.regions() == null || req.regions().isEmpty()) {
            throw ApiException.badRequest("name at least one region and its count, e.g. {\"regions\": {\"iad\": 2}}");
        }
        checkCounts(req.regions(), "regions");
        AppConfig config = app.currentRelease() == null ? null
                : store.findRelease(name, app.currentRelease()).map(Release::config).orElse(null);
        if (config != null) {
            requirePriced(config, name, "scaling");
            checkAutoscaleRanges(name, config.scale(), req.regions());
        }
        ctx.json(store.setScale(name, req.regions()));
    }

    /**
     * An autoscaled app runs only in the regions of its {@code [scale] regions}, and a region with a
     * range only within it: a count elsewhere would be undone by the autoscaler or never be looked after.
     */
    private static void checkAutoscaleRanges(String app, AppConfig.Scale scale, Map<String, Integer> counts) {
        if (!scale.autoscaled()) {
            return;
        }
        for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(counts).entrySet()) {
            String region = e.getKey();
            if (!scale.regions().containsKey(region)) {
                throw ApiException.badRequest("region " + region + " is not one app " + app + " allows: its [scale] regions are "
                        + String.join(", ", new java.util.TreeSet<>(scale.regions().keySet()))
                        + " (add " + region + " to outpost.toml and deploy)");
            }
            dev.outpost.core.config.Autoscale.Range range = scale.autoscale().ranges().get(region);
            if (range != null && (e.getValue() < range.min() || e.getValue() > range.max())) {
                throw ApiException.badRequest("regions." + region + " = " + e.getValue() + " is outside app " + app
                        + "'s autoscale range for " + region + " (min " + range.min() + ", max " + range.max()
                        + "): change [scale] regions." + region + " in outpost.toml to go beyond it");
            }
        }
    }

    /**
     * 400 when {@code config}'s VM size has no price in the server's price list: the meter could not
     * charge the instances {@code what} (a deploy, a rollback, …) would run.
     */
    public void requirePriced(AppConfig config, String app, String what) {
        String size = Prices.sizeOf(config);
        if (!prices.has(size)) {
            throw ApiException.badRequest(what + " of " + app + " is refused: vm size " + size
                    + " has no price in the server's price list (it prices " + prices.sizes()
                    + "); choose a priced [vm] size, or have the operator add it (outpost server --prices FILE)");
        }
    }

    /** Rejects unknown regions (404) and counts outside 0..100 (400). */
    void checkCounts(Map<String, Integer> counts, String what) {
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            regions.require(e.getKey());
            Integer n = e.getValue();
            if (n == null || n < 0 || n > MAX_PER_REGION) {
                throw ApiException.badRequest(what + "." + e.getKey() + " = " + n + " is out of range (0-" + MAX_PER_REGION + ")");
            }
        }
    }

    private void status(Context ctx) {
        long index = Blocking.index(ctx);
        App app = app(store, ctx.pathParam("app"));
        List<Release> releases = store.listReleases(app.name());
        Release current = releases.stream().filter(r -> r.version() == (app.currentRelease() == null ? -1 : app.currentRelease()))
                .findFirst().orElse(null);
        Release deploying = releases.stream().filter(r -> r.status() == ReleaseStatus.DEPLOYING)
                .max(Comparator.comparingInt(Release::version)).orElse(null);
        ctx.json(new AppStatus(index, app, current, deploying, visible(store.listInstances(app.name()))));
    }

    /** Instances a user cares about: not those already on their way out. */
    static List<Instance> visible(List<Instance> all) {
        return all.stream().filter(i -> i.desired() != DesiredState.DESTROYED)
                .sorted(Comparator.comparing(Instance::region).thenComparing(Instance::createdAt)).toList();
    }
}
