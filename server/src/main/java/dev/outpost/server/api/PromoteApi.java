package dev.outpost.server.api;

import dev.outpost.core.api.PromoteRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.server.registry.BlobStore;
import dev.outpost.store.Secrets;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/apps/{app}/promote} {@code {"from": "<app>-staging"}}: a release of the target
 * app that runs the exact artifact the source app's serving release runs — no rebuild, no upload.
 * Its config is the target's newest release's, with the source's {@code [build]} (which says how to
 * run that artifact); the source's own config, renamed, when the target has no release yet. Secrets
 * are the target's own.
 */
public final class PromoteApi {
    /**
     * Links an image manifest (and so its layers) from one repository of the registry into
     * another; {@code Registry.copyManifest} is one.
     */
    @FunctionalInterface
    public interface ManifestLinker {
        void link(String fromRepo, String toRepo, String digest);
    }

    private final Store store;
    private final BlobStore blobs;
    private final AppsApi apps;
    private final ManifestLinker manifests;
    private final Clock clock;

    /** {@code manifests} null: the registry cannot link images yet, and promoting one is a 409 saying so. */
    public PromoteApi(Store store, BlobStore blobs, AppsApi apps, ManifestLinker manifests, Clock clock) {
        this.store = store;
        this.blobs = blobs;
        this.apps = apps;
        this.manifests = manifests;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apps/{app}/promote", this::promote);
    }

    private void promote(Context ctx) {
        App to = AppsApi.app(store, ctx.pathParam("app"));
        dev.outpost.server.budget.Suspension.refuseDeploy(store, to.name(), "a promotion");
        String fromName = Requests.body(ctx, PromoteRequest.class).from();
        if (fromName == null || fromName.isBlank()) {
            throw ApiException.badRequest("from is missing: name the app to promote from, e.g. {\"from\": \"" + to.name() + "-staging\"}");
        }
        if (fromName.equals(to.name())) {
            throw ApiException.badRequest("cannot promote " + to.name() + " to itself; promote from its staging app, e.g. "
                    + to.name() + "-staging");
        }
        App from = AppsApi.app(store, fromName);
        if (from.currentRelease() == null) {
            throw ApiException.conflict(from.name() + " has no serving release to promote: deploy it first"
                    + (from.name().endsWith("-staging") ? " (outpost deploy --env staging)" : ""));
        }
        Release source = store.findRelease(from.name(), from.currentRelease()).orElseThrow(() ->
                ApiException.conflict(from.name() + " names v" + from.currentRelease() + " as serving but it does not exist"));
        List<Release> targetReleases = store.listReleases(to.name());
        AppConfig config = targetReleases.isEmpty() ? source.config().withApp(to.name()) : withBuild(targetReleases.getFirst().config(),
                source.config().build()).withApp(to.name());
        String note = "promote " + from.name() + " v" + source.version();
        apps.requirePriced(config, to.name(), "a promotion");
        if (config.build().producesImage()) {
            if (manifests == null) {
                throw ApiException.conflict("cannot promote " + from.name() + " v" + source.version()
                        + ": image promotion needs the registry, which cannot link manifests yet");
            }
            manifests.link(from.name(), to.name(), source.artifactDigest());
        } else {
            RollbackApi.requireBundle(blobs, source, "cannot promote " + from.name() + " v" + source.version());
        }
        if (to.scale().isEmpty()) {
            Map<String, Integer> scale = config.scale().regions().isEmpty() ? Map.of(to.primaryRegion(), 1) : config.scale().regions();
            apps.checkCounts(scale, "scale.regions");
            store.setScale(to.name(), scale);
        }
        Instant now = clock.instant();
        AddressesApi.allocateFor(store, to.name(), config, now);
        Release made = store.secrets().createRelease(to.name(),
                new Secrets.NewRelease(source.artifactDigest(), config, RollbackApi.deadline(config, now), note), now);
        ctx.status(201).json(made.withStatus(made.status(), note, null));
    }

    private static AppConfig withBuild(AppConfig c, AppConfig.Build build) {
        return new AppConfig(c.app(), c.primaryRegion(), build, c.env(), c.services(), c.scale(), c.deploy(), c.vm(), c.budget());
    }
}
