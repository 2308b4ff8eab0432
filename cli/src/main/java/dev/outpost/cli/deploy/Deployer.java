package dev.outpost.cli.deploy;

import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.bundle.Bundle;
import dev.outpost.cli.bundle.BundleException;
import dev.outpost.cli.bundle.BundlePacker;
import dev.outpost.cli.output.ShortDigest;
import dev.outpost.core.Durations;
import dev.outpost.core.api.AppStatus;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a deploy against the API: pack the directory, upload the bundle unless the registry has
 * it, seed the app's scale, create the release, then follow {@code /status} with blocking queries
 * until the release is {@code active} or {@code failed}. An app whose {@code [build]} makes an
 * image ({@code dockerfile} or {@code image}) is built and pushed by {@link ImagePublisher} instead
 * of packed, and its release names the pushed manifest.
 *
 * <p>Scale: {@code outpost.toml}'s {@code [scale] regions} seeds the app's scale. When the app has
 * no scale yet, the toml's regions are set (or one instance in the primary region when the toml
 * names none); later deploys only add regions the toml names and the app lacks, so counts changed
 * with {@code outpost scale} survive a redeploy.
 */
public final class Deployer {
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

    private final ApiClient api;
    private final PrintWriter out;
    private final boolean interactive;
    private final ImagePublisher images;

    /** Progress goes to {@code out}, redrawn in place when {@code interactive}; images go through the {@code docker} on PATH. */
    public Deployer(ApiClient api, PrintWriter out, boolean interactive) {
        this(api, out, interactive, ImagePublisher.system(out));
    }

    /** As above, with images built and pushed by {@code images}. */
    public Deployer(ApiClient api, PrintWriter out, boolean interactive, ImagePublisher images) {
        this.api = api;
        this.out = out;
        this.interactive = interactive;
        this.images = images;
    }

    public DeployResult deploy(DeployRequest request) throws ApiException, BundleException, DeployException {
        String app = request.app();
        App current;
        try {
            current = api.app(app);
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw new DeployException("app " + app + " does not exist on " + api.base() + ": create it with `outpost launch`");
            }
            throw e;
        }
        if (request.config().build().producesImage()) {
            return deployImage(current, request);
        }
        Release release;
        boolean uploaded;
        try (Bundle bundle = BundlePacker.pack(request.dir())) {
            say("packed %s: %d files, %s, %s", request.dir(), bundle.files(), size(bundle.size()), ShortDigest.of(bundle.digest()));
            uploaded = !api.blobExists(app, bundle.digest());
            if (uploaded) {
                api.uploadBlob(app, bundle.digest(), bundle.file());
                say("uploaded %s", ShortDigest.of(bundle.digest()));
            } else {
                say("the registry already has %s, not uploading", ShortDigest.of(bundle.digest()));
            }
            seedScale(current, request);
            release = api.createRelease(app, new CreateReleaseRequest(bundle.digest(), request.config()));
        }
        say("release v%d of %s created", release.version(), app);
        if (request.detach()) {
            return result(release, uploaded);
        }
        return follow(release, uploaded, request.waitTimeout());
    }

    /**
     * An image deploy: build or tag, push to the API's registry, then a release whose artifact is the
     * pushed manifest's digest and whose {@code build.image} names the pushed tag. A failed build or
     * push throws before anything is created.
     */
    private DeployResult deployImage(App current, DeployRequest request) throws ApiException, DeployException {
        String app = request.app();
        PublishedImage image = images.publish(request.config().build(), request.dir(), app, ImagePublisher.registryOf(api.base()), api.token());
        say("pushed %s (%s)", image.reference(), ShortDigest.of(image.digest()));
        seedScale(current, request);
        Release release = api.createRelease(app, new CreateReleaseRequest(image.digest(), DeployRequest.buildingImage(request.config(), image.reference())));
        say("release v%d of %s created", release.version(), app);
        if (request.detach()) {
            return result(release, image.uploaded());
        }
        return follow(release, image.uploaded(), request.waitTimeout());
    }

    /** Follows a release made without an upload (rollback, promote, a secrets change) until it is active or failed. */
    public DeployResult follow(Release release, Duration waitTimeout) throws ApiException, DeployException {
        return follow(release, false, waitTimeout);
    }

    /** The scale to PUT before the release, empty when the app's scale already covers the toml. */
    public static Map<String, Integer> scaleToSeed(App app, DeployRequest request) {
        Map<String, Integer> fromToml = request.config().scale().regions();
        Map<String, Integer> seed = new TreeMap<>();
        if (app.scale().isEmpty()) {
            if (fromToml.isEmpty()) {
                String primary = request.config().primaryRegion() != null ? request.config().primaryRegion() : app.primaryRegion();
                if (primary != null) {
                    seed.put(primary, 1);
                }
            } else {
                seed.putAll(fromToml);
            }
        } else {
            fromToml.forEach((region, count) -> {
                if (!app.scale().containsKey(region)) {
                    seed.put(region, count);
                }
            });
        }
        return seed;
    }

    private void seedScale(App app, DeployRequest request) throws ApiException {
        Map<String, Integer> seed = scaleToSeed(app, request);
        if (seed.isEmpty()) {
            return;
        }
        App scaled = api.scale(app.name(), new ScaleRequest(seed));
        say("scale: %s", scaled.scale().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }

    private DeployResult follow(Release release, boolean uploaded, Duration waitTimeout) throws ApiException, DeployException {
        String app = release.app();
        int version = release.version();
        DeployProgress progress = new DeployProgress(out, interactive);
        Instant deadline = Instant.now().plus(waitTimeout);
        Duration backoff = FIRST_BACKOFF;
        long index = 0;
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw new DeployException("release v" + version + " of " + app + " is still deploying after "
                        + Durations.format(waitTimeout) + "; follow it with `outpost status --app " + app + "`");
            }
            AppStatus status;
            try {
                status = api.status(app, index, left.compareTo(MAX_WAIT) < 0 ? roundUp(left) : MAX_WAIT);
                backoff = FIRST_BACKOFF;
            } catch (ApiException e) {
                if (!e.transientFailure()) {
                    throw e;
                }
                Duration pause = backoff.compareTo(left) < 0 ? backoff : left;
                say("%s; trying again in %s", e.getMessage(), Durations.format(pause));
                pause(pause);
                backoff = backoff.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : backoff.multipliedBy(2);
                continue;
            }
            index = status.index();
            progress.update(status, version);
            Release seen = find(status, version);
            if (seen == null) {
                // neither serving nor deploying: it ended; ask for it by version
                seen = api.release(app, version);
            }
            if (seen.status() != ReleaseStatus.DEPLOYING) {
                return result(seen, uploaded);
            }
        }
    }

    private static Release find(AppStatus status, int version) {
        if (status.deploying() != null && status.deploying().version() == version) {
            return status.deploying();
        }
        if (status.current() != null && status.current().version() == version) {
            return status.current();
        }
        return null;
    }

    private static DeployResult result(Release r, boolean uploaded) {
        DeployFailure failure = r.status() == ReleaseStatus.FAILED ? r.failure() : null;
        return new DeployResult(r.app(), r.version(), r.artifactDigest(), uploaded, r.status(), failure, DeployResult.hostFor(r.app()));
    }

    private static Duration roundUp(Duration d) {
        // the wait parameter is written in whole milliseconds at least
        return d.toMillis() < 1 ? Duration.ofMillis(1) : Duration.ofMillis(d.toMillis());
    }

    /** The back-off between failed status calls that docs/architecture.md asks of every blocking-query caller. */
    private static void pause(Duration d) throws DeployException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted while waiting for the Outpost API");
        }
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
        LOG.debug(String.format(format, args));
    }

    private static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
