package dev.outpost.store;

import static dev.outpost.store.TestRecords.T0;
import static dev.outpost.store.TestRecords.fullConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.model.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StoreTest} on SQLite files in a temporary directory, plus what only a file can show. */
class SqliteStoreTest extends StoreTest {
    @TempDir
    Path dir;

    private Path file;

    @Override
    protected String freshUrl() {
        // a directory that does not exist yet: open() creates it
        file = dir.resolve("data/nested/outpost.db");
        return "sqlite:" + file;
    }

    @Test
    void createsTheFileAndItsDirectoriesAndRunsInWalMode() {
        store.createApp("hello", "iad", T0);

        assertThat(file).isRegularFile();
        // WAL mode keeps committed writes in outpost.db-wal until a checkpoint
        assertThat(file.resolveSibling("outpost.db-wal")).exists();
        assertThat(store.target()).isEqualTo("sqlite:" + file);
    }

    @Test
    void reopeningTheFileKeepsDataAndIndexAndDoesNotMigrateAgain() {
        store.createApp("hello", "iad", T0);
        store.setScale("hello", Map.of("iad", 2));
        Release release = store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        long index = store.index();
        store.close();

        for (String url : new String[] {"sqlite:" + file, file.toString(), "jdbc:sqlite:" + file}) {
            store = Store.open(url);
            assertThat(store.index()).isEqualTo(index);
            assertThat(store.findApp("hello").orElseThrow().scale()).isEqualTo(Map.of("iad", 2));
            assertThat(store.findRelease("hello", 1)).contains(release);
            store.close();
        }
        store = Store.open("sqlite:" + file);
        assertThat(store.createRelease("hello", "sha256:2", fullConfig("hello"), T0, null).version()).isEqualTo(2);
    }

    @Test
    void twoStoresOnOneFileSeeEachOthersWrites() {
        try (Store second = Store.open(file.toString())) {
            second.createApp("from-second", "iad", T0);
            store.createApp("from-first", "ams", T0);

            assertThat(store.index()).isEqualTo(3);
            assertThat(second.listApps()).hasSize(2);
        }
    }

    @Test
    void aRelativePathIsResolvedToAnAbsoluteFile() {
        String relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.db")).toString();
        try (Store relativeStore = Store.open(relative)) {
            assertThat(relativeStore.target()).isEqualTo("sqlite:" + dir.resolve("rel.db"));
        }
        assertThat(Files.exists(dir.resolve("rel.db"))).isTrue();
    }
}
