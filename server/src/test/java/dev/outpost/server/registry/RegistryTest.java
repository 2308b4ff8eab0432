package dev.outpost.server.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade the server calls (promote, app deletion, collection), on a registry in a temporary directory. */
class RegistryTest {
    @TempDir
    Path dir;
    Registry registry;

    @BeforeEach
    void open() throws Exception {
        registry = new Registry(new BlobStore(dir.resolve("blobs")));
    }

    @Test
    void copyManifestLinksTheManifestAndItsBlobsButNoTag() throws Exception {
        Pushed image = pushImage("web-staging", "v1", 1);
        assertThat(registry.hasManifest("web", image.manifest)).isFalse();

        registry.copyManifest("web-staging", "web", image.manifest);

        assertThat(registry.hasManifest("web", image.manifest)).isTrue();
        assertThat(registry.hasBlob("web", image.layer)).isTrue();
        assertThat(registry.hasBlob("web", image.config)).isTrue();
        assertThat(registry.tags("web")).isEmpty();
        assertThat(registry.manifest("web", image.manifest).bytes()).isEqualTo(registry.manifest("web-staging", "v1").bytes());
    }

    @Test
    void copyOfAnIndexBringsItsChildren() throws Exception {
        Pushed image = pushImage("web-staging", "amd64", 2);
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + Manifest.OCI_MANIFEST + "\",\"digest\":\"" + image.manifest + "\",\"size\":10}]}";
        String digest = registry.putManifest("web-staging", "multi", index.getBytes(StandardCharsets.UTF_8), Manifest.OCI_INDEX);

        registry.copyManifest("web-staging", "web", digest);

        assertThat(registry.hasManifest("web", digest)).isTrue();
        assertThat(registry.hasManifest("web", image.manifest)).isTrue();
        assertThat(registry.hasBlob("web", image.layer)).isTrue();
    }

    @Test
    void copyOfAnUnknownManifestSaysManifestUnknown() {
        String digest = BlobStore.digestOf(new byte[] {1});
        assertThatThrownBy(() -> registry.copyManifest("web-staging", "web", digest))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN");
                    assertThat(e.getMessage()).contains(digest, "web-staging");
                });
    }

    @Test
    void copyBlobLinksABundle() throws Exception {
        String bundle = pushBlob("web-staging", bytes(500, 3));
        registry.copyBlob("web-staging", "web", bundle);
        assertThat(registry.hasBlob("web", bundle)).isTrue();
        assertThatThrownBy(() -> registry.copyBlob("api", "web", bundle)).isInstanceOf(RegistryException.class);
    }

    @Test
    void deleteRepositoryDropsTagsAndLinksButKeepsBlobsUntilCollected() throws Exception {
        Pushed image = pushImage("web", "v1", 4);
        registry.deleteRepository("web");
        assertThat(registry.hasManifest("web", image.manifest)).isFalse();
        assertThat(registry.tags("web")).isEmpty();
        assertThat(registry.blobs().exists(image.layer)).isTrue();

        GcResult gc = registry.collectGarbage(Set.of(), Duration.ZERO);
        assertThat(gc.removedBlobs()).contains(image.layer, image.config, image.manifest);
        assertThat(registry.blobs().exists(image.layer)).isFalse();
    }

    @Test
    void collectionKeepsAlsoKeepAndWhatAKeptManifestReferences() throws Exception {
        String bundle = pushBlob("api", bytes(700, 5));
        Pushed released = pushImage("web", "v1", 6);
        Pushed unreleased = pushImage("web", "v2", 7);
        // Both manifests leave the repository; a release still runs the first.
        registry.deleteManifest("web", released.manifest);
        registry.deleteManifest("web", unreleased.manifest);

        GcResult gc = registry.collectGarbage(Set.of(bundle, released.manifest), Duration.ZERO);

        assertThat(registry.blobs().exists(bundle)).isTrue();
        assertThat(registry.blobs().exists(released.manifest)).isTrue();
        assertThat(registry.blobs().exists(released.layer)).isTrue();
        assertThat(registry.blobs().exists(released.config)).isTrue();
        assertThat(gc.removedBlobs()).containsExactlyInAnyOrder(unreleased.manifest, unreleased.layer, unreleased.config);
        assertThat(gc.keptBlobs()).isEqualTo(4);
    }

    @Test
    void collectionHonoursTheGracePeriodAndExpiresQuietUploads() throws Exception {
        String orphan = pushBlob("web", bytes(100, 8));
        String session = registry.startUpload("web");
        registry.appendUpload("web", session, new ByteArrayInputStream(bytes(100, 9)), null);

        GcResult graced = registry.collectGarbage(Set.of(), Duration.ofHours(1));
        assertThat(graced.removedBlobs()).isEmpty();
        assertThat(graced.expiredUploads()).isEmpty();
        assertThat(registry.uploadSize("web", session)).isEqualTo(100);

        GcResult now = registry.collectGarbage(Set.of(), Duration.ZERO);
        assertThat(now.removedBlobs()).containsExactly(orphan);
        assertThat(now.expiredUploads()).containsExactly(session);
        assertThatThrownBy(() -> registry.uploadSize("web", session)).isInstanceOfSatisfying(RegistryException.class,
                e -> assertThat(e.code()).isEqualTo("BLOB_UPLOAD_UNKNOWN"));
    }

    @Test
    void aSessionsBytesNeverAppearUnderADigestUntilTheyMatchIt() throws Exception {
        byte[] blob = bytes(10_000, 10);
        String digest = BlobStore.digestOf(blob);
        String session = registry.startUpload("web");
        registry.appendUpload("web", session, new ByteArrayInputStream(blob, 0, 4000), null);
        assertThat(registry.blobs().exists(digest)).isFalse();
        try (var stored = Files.list(dir.resolve("blobs/sha256"))) {
            assertThat(stored).isEmpty();
        }

        registry.appendUpload("web", session, new ByteArrayInputStream(blob, 4000, 6000), 4000L);
        registry.completeUpload("web", session, digest);
        assertThat(registry.blobs().read(digest)).isEqualTo(blob);
        assertThat(registry.hasBlob("web", digest)).isTrue();
    }

    @Test
    void badRepositoryNamesAreRejected() {
        assertThatThrownBy(() -> registry.hasManifest("../etc", BlobStore.digestOf(new byte[0])))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo("NAME_INVALID"));
    }

    // ---- helpers ----

    record Pushed(String manifest, String config, String layer) {}

    private Pushed pushImage(String repo, String tag, int seed) throws Exception {
        String config = pushBlob(repo, ("{\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8));
        String layer = pushBlob(repo, bytes(1000, seed));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" + config + "\",\"size\":10},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" + layer + "\",\"size\":1000}]}";
        String digest = registry.putManifest(repo, tag, manifest.getBytes(StandardCharsets.UTF_8), Manifest.DOCKER_MANIFEST);
        return new Pushed(digest, config, layer);
    }

    private String pushBlob(String repo, byte[] blob) throws Exception {
        String digest = BlobStore.digestOf(blob);
        registry.putBlob(repo, digest, new ByteArrayInputStream(blob));
        return digest;
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
