package dev.outpost.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogsTest} on a SQLite file. */
class SqliteLogsTest extends LogsTest {
    @TempDir
    Path dir;

    @Override
    protected String freshUrl() {
        return "sqlite:" + dir.resolve("outpost.db");
    }
}
