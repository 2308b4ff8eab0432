package dev.outpost.server.registry;

import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.store.Store;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The artifact digest of every release of every app: what the collector keeps besides manifests, so a
 * source bundle (a bare blob) or an image whose tag was deleted stays while a release can still run it.
 */
public final class ReleasedArtifacts implements Supplier<Set<String>> {
    private final Store store;

    public ReleasedArtifacts(Store store) {
        this.store = store;
    }

    @Override
    public Set<String> get() {
        Set<String> digests = new HashSet<>();
        for (App app : store.listApps()) {
            for (Release release : store.listReleases(app.name())) {
                digests.add(release.artifactDigest());
            }
        }
        return digests;
    }
}
