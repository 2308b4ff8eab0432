package dev.outpost.agent.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.testing.Bundles;
import dev.outpost.agent.testing.FakeControlPlane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCacheTest {
    @TempDir
    Path dataDir;

    private final FakeControlPlane server = new FakeControlPlane();

    @Test
    void downloadsVerifiesAndStoresTheBlobUnderItsDigest() throws Exception {
        byte[] bytes = "bundle bytes".getBytes(StandardCharsets.UTF_8);
        String digest = Bundles.digest(bytes);
        server.putBlob(digest, bytes);
        BlobCache cache = new BlobCache(dataDir, server);

        Path got = cache.fetch("hello", digest);

        assertThat(got).isEqualTo(dataDir.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
        assertThat(got).hasBinaryContent(bytes);
        assertThat(dataDir.resolve("blobs/sha256")).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void reusesACachedBlobWithoutDownloadingAgain() throws Exception {
        byte[] bytes = "once".getBytes(StandardCharsets.UTF_8);
        String digest = Bundles.digest(bytes);
        server.putBlob(digest, bytes);
        BlobCache cache = new BlobCache(dataDir, server);

        Path first = cache.fetch("hello", digest);
        Path second = cache.fetch("hello", digest);

        assertThat(second).isEqualTo(first);
        assertThat(server.blobDownloads()).isEqualTo(1);
    }

    @Test
    void refusesATamperedBlobAndKeepsNothing() throws Exception {
        byte[] good = "the real bundle".getBytes(StandardCharsets.UTF_8);
        byte[] evil = "a swapped bundle".getBytes(StandardCharsets.UTF_8);
        String digest = Bundles.digest(good);
        server.putBlob(digest, evil);
        BlobCache cache = new BlobCache(dataDir, server);

        assertThatThrownBy(() -> cache.fetch("hello", digest))
                .isInstanceOf(BlobException.class)
                .hasMessage("bundle " + digest + " does not match its digest (got " + Bundles.digest(evil) + ")");
        try (var left = Files.list(dataDir.resolve("blobs/sha256"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void rejectsSomethingThatIsNotADigest() {
        BlobCache cache = new BlobCache(dataDir, server);

        assertThatThrownBy(() -> cache.fetch("hello", "sha256:../../etc"))
                .isInstanceOf(BlobException.class)
                .hasMessageContaining("is not a blob digest");
    }

    @Test
    void saysWhichBlobCouldNotBeDownloaded() {
        BlobCache cache = new BlobCache(dataDir, server);
        String digest = Bundles.digest(new byte[] {1});

        assertThatThrownBy(() -> cache.fetch("hello", digest))
                .isInstanceOf(BlobException.class)
                .hasMessageContaining("cannot download bundle " + digest + " of hello")
                .hasMessageContaining("404");
    }
}
