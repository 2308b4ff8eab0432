package dev.outpost.server.api;

import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.server.registry.BlobStore;
import dev.outpost.server.registry.Registry;
import dev.outpost.store.Secrets;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Releases: a new one starts a deploy (the scheduler takes it from there). A release's artifact is
 * either an image, when {@code config.build} names one ({@link AppConfig.Build#producesImage()}): a
 * manifest that must be in the app's own registry repository, which the docker driver pulls by
 * digest; or a source bundle: a blob run by the process driver with {@code build.cmd}.
 */
public final class ReleasesApi {
    private final Store store;
    private final Registry registry;
    private final AppsApi apps;
    private final Clock clock;

    public ReleasesApi(Store store, Registry registry, AppsApi apps, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.apps = apps;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps/{app}/releases", ctx -> {
            AppsApi.app(store, ctx.pathParam("app"));
            ctx.json(withNotes(ctx.pathParam("app"), store.listReleases(ctx.pathParam("app"))));
        });
        routes.get("/v1/apps/{app}/releases/{version}", ctx -> {
            String app = ctx.pathParam("app");
            AppsApi.app(store, app);
            int version = Requests.intPath(ctx, "version");
            ctx.json(withNotes(app, List.of(store.findRelease(app, version).orElseThrow(() ->
                    ApiException.notFound("release v" + version + " of app " + app + " not found (outpost releases lists them)")))).getFirst());
        });
        routes.post("/v1/apps/{app}/releases", this::create);
    }

    private void create(Context ctx) {
        App app = AppsApi.app(store, ctx.pathParam("app"));
        dev.outpost.server.budget.Suspension.refuseDeploy(store, app.name(), "a deploy");
        CreateReleaseRequest req = Requests.body(ctx, CreateReleaseRequest.class);
        if (req.artifactDigest() == null || !BlobStore.isDigest(req.artifactDigest())) {
            throw ApiException.badRequest("artifactDigest \"" + req.artifactDigest() + "\" is not a digest (expected sha256:<64 hex digits>)");
        }
        AppConfig config = req.config();
        if (config == null) {
            throw ApiException.badRequest("config is missing: send the app's parsed outpost.toml");
        }
        apps.requirePriced(config, app.name(), "a deploy");
        if (config.build().producesImage()) {
            // the docker driver pulls <app>@digest: the manifest must be in this app's repository, not merely somewhere
            if (!registry.hasManifest(app.name(), req.artifactDigest())) {
                throw ApiException.badRequest("image " + req.artifactDigest() + " is not in the app's registry repository ("
                        + app.name() + "): push it first (outpost deploy does)");
            }
        } else {
            if (!registry.blobs().exists(req.artifactDigest())) {
                throw ApiException.badRequest("artifact " + req.artifactDigest() + " is not in the registry: upload it first (outpost deploy does)");
            }
            if (config.build().cmd().isEmpty()) {
                throw ApiException.badRequest("config.build.cmd is empty: the process driver runs [build] cmd from the bundle;"
                        + " set it in outpost.toml, or deploy an image with [build] dockerfile or image");
            }
        }
        if (config.deploy() == null || config.deploy().waitTimeout() == null || config.deploy().waitTimeout().isNegative()
                || config.deploy().waitTimeout().isZero()) {
            throw ApiException.badRequest("config.deploy.waitTimeout must be a positive duration");
        }
        config = config.withApp(app.name());
        // Every deploy, not only the first: the autoscaler works in these regions, so an unknown one is refused here.
        apps.checkCounts(config.scale().regions(), "scale.regions");
        config.scale().autoscale().ranges().forEach((region, range) -> apps.checkCounts(Map.of(region, range.max()), "scale.regions max"));
        if (app.scale().isEmpty() && !config.scale().regions().isEmpty()) {
            store.setScale(app.name(), config.scale().regions());
        }
        if (config.budget() != null && config.budget().monthlyUsd() != null) {
            // [budget] monthly_usd of the deployed outpost.toml: the latest write wins, this one or outpost budget set
            if (!(config.budget().monthlyUsd() >= 0) || config.budget().monthlyUsd().isInfinite()) {
                throw ApiException.badRequest("[budget] monthly_usd = " + config.budget().monthlyUsd() + " is not a budget: give USD >= 0");
            }
            store.budgets().set(app.name(), config.budget().monthlyUsd());
        }
        Instant now = clock.instant();
        AddressesApi.allocateFor(store, app.name(), config, now);
        ctx.status(201).json(store.secrets().createRelease(app.name(),
                new Secrets.NewRelease(req.artifactDigest(), config, now.plus(config.deploy().waitTimeout()), null), now));
    }

    /**
     * Says in each release's message why it was made when that was more than a deploy ("rollback to
     * v3; v7 is serving"): the scheduler rewrites the message as the deploy goes, the note stays.
     */
    private List<Release> withNotes(String app, List<Release> releases) {
        Map<Integer, String> notes = store.secrets().notes(app);
        return releases.stream().map(r -> !notes.containsKey(r.version()) ? r : r.withStatus(r.status(),
                r.message() == null ? notes.get(r.version()) : notes.get(r.version()) + "; " + r.message(), r.failure())).toList();
    }
}
