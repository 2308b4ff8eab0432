package dev.outpost.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JDBC connection pool for a {@link DatabaseUrl}. SQLite connections run in WAL mode (readers do
 * not wait for the writer) with a busy timeout and immediate write transactions, so a second process
 * on the same file waits instead of failing; PostgreSQL connections fail fast when the server is away.
 */
final class ConnectionPool {
    /** How long SQLite waits for another connection's write lock before SQLITE_BUSY. */
    static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;

    private ConnectionPool() {}

    /** Opens the pool and one connection to prove the target is reachable; {@link StoreException} names it if not. */
    static HikariDataSource open(DatabaseUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("outpost-store");
        config.setJdbcUrl(url.jdbcUrl());
        switch (url.dialect()) {
            case SQLITE -> sqlite(config, url.sqliteFile());
            case POSTGRESQL -> postgresql(config, url);
        }
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open store " + url.display() + ": " + rootMessage(e), e);
        }
    }

    /**
     * The driver's own words for {@code e}: the innermost {@link java.sql.SQLException} message (it names
     * host and port, where its socket cause only says "Connection refused"), else the innermost message.
     */
    static String rootMessage(Throwable e) {
        String sql = null;
        Throwable t = e;
        for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof java.sql.SQLException && t.getMessage() != null) {
                sql = t.getMessage();
            }
            if (t.getCause() == null || t.getCause() == t) {
                break;
            }
        }
        if (sql != null) {
            return sql;
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static void sqlite(HikariConfig config, Path file) {
        Path dir = file.getParent();
        if (dir != null) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new StoreException("cannot create directory " + dir + " for store sqlite:" + file + ": " + e, e);
            }
        }
        config.setDriverClassName("org.sqlite.JDBC");
        // sqlite-jdbc reads these pragmas from the connection properties.
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("busy_timeout", String.valueOf(SQLITE_BUSY_TIMEOUT_MS));
        config.addDataSourceProperty("foreign_keys", "true");
        // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes can fail with SQLITE_BUSY at once when another writer got there first.
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        config.setMaximumPoolSize(8);
    }

    private static void postgresql(HikariConfig config, DatabaseUrl url) {
        config.setDriverClassName("org.postgresql.Driver");
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        // Seconds: an unreachable server is reported in a few seconds, not after the driver's default.
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("loginTimeout", "10");
        config.setConnectionTimeout(15_000);
        config.setMaximumPoolSize(10);
    }
}
