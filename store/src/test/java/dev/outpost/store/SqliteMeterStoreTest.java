package dev.outpost.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link MeterStoreTest} on a SQLite file in a temporary directory. */
class SqliteMeterStoreTest extends MeterStoreTest {
    @TempDir
    Path dir;

    @Override
    protected String freshUrl() {
        return "sqlite:" + dir.resolve("outpost.db");
    }
}
