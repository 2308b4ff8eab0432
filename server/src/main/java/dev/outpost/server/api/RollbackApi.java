package dev.outpost.server.api;

import dev.outpost.core.api.RollbackRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.registry.BlobStore;
import dev.outpost.store.Secrets;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code POST /v1/apps/{app}/rollback}: a new release with an earlier release's artifact and config
 * and the app's current secrets, deployed like any other. Without a version it goes back to the
 * newest release older than the current one that served once ({@code superseded}).
 */
public final class RollbackApi {
    private final Store store;
    private final BlobStore blobs;
    private final AppsApi apps;
    private final Clock clock;

    public RollbackApi(Store store, BlobStore blobs, AppsApi apps, Clock clock) {
        this.store = store;
        this.blobs = blobs;
        this.apps = apps;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/apps/{app}/rollback", this::rollback);
    }

    /** When a release made now must be serving: its config's {@code deploy.wait_timeout} (default 2 min) from now. */
    static Instant deadline(AppConfig config, Instant now) {
        Duration wait = config.deploy() == null || config.deploy().waitTimeout() == null || !config.deploy().waitTimeout().isPositive()
                ? AppConfig.Deploy.DEFAULT.waitTimeout() : config.deploy().waitTimeout();
        return now.plus(wait);
    }

    /** 409 when a bundle's blob is gone from the registry: a release of it could never start. */
    static void requireBundle(BlobStore blobs, Release release, String what) {
        if (!release.config().build().producesImage() && !blobs.exists(release.artifactDigest())) {
            throw ApiException.conflict(what + ": its bundle " + release.artifactDigest() + " is no longer in the registry");
        }
    }

    private void rollback(Context ctx) {
        App app = AppsApi.app(store, ctx.pathParam("app"));
        dev.outpost.server.budget.Suspension.refuseDeploy(store, app.name(), "a rollback");
        Integer version = ctx.bodyAsBytes().length == 0 ? null : Requests.body(ctx, RollbackRequest.class).version();
        List<Release> releases = store.listReleases(app.name());
        Integer current = app.currentRelease();
        Release target;
        if (version != null) {
            target = releases.stream().filter(r -> r.version() == version).findFirst().orElseThrow(() ->
                    ApiException.notFound("release v" + version + " of app " + app.name() + " not found (outpost releases lists them)"));
            if (current != null && version.intValue() == current) {
                throw ApiException.conflict("v" + version + " is already serving");
            }
        } else {
            if (current == null) {
                throw ApiException.conflict("app " + app.name() + " has no serving release to roll back from;"
                        + " name the release to deploy: outpost rollback VERSION");
            }
            target = releases.stream().filter(r -> r.version() < current && r.status() == ReleaseStatus.SUPERSEDED)
                    .max(Comparator.comparingInt(Release::version))
                    .orElseThrow(() -> ApiException.conflict("no release of " + app.name() + " older than v" + current
                            + " has served; there is nothing to roll back to (outpost releases lists them)"));
        }
        apps.requirePriced(target.config(), app.name(), "a rollback to v" + target.version());
        requireBundle(blobs, target, "cannot roll back to v" + target.version());
        Instant now = clock.instant();
        AddressesApi.allocateFor(store, app.name(), target.config(), now);
        Release made = store.secrets().createRelease(app.name(),
                new Secrets.NewRelease(target.artifactDigest(), target.config(), deadline(target.config(), now),
                        "rollback to v" + target.version()), now);
        ctx.status(201).json(made.withStatus(made.status(), "rollback to v" + target.version(), null));
    }
}
