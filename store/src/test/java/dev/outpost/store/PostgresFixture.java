package dev.outpost.store;

import dev.outpost.core.Ids;
import dev.outpost.core.testing.TestRequire;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A throw-away PostgreSQL database for one test class, on the server {@code OUTPOST_TEST_POSTGRES} names
 * (default {@code postgresql://outpost:outpost@127.0.0.1:5432/postgres}); each test gets its own schema
 * in it. Skips (or fails, when required) if the server cannot be reached.
 */
final class PostgresFixture implements AutoCloseable {
    static final String DEFAULT_URL = "postgresql://outpost:outpost@127.0.0.1:5432/postgres";

    private final DatabaseUrl admin;
    private final String database;

    private PostgresFixture(DatabaseUrl admin, String database) {
        this.admin = admin;
        this.database = database;
    }

    /** The admin URL tests use; {@code OUTPOST_TEST_POSTGRES} overrides the default. */
    static String adminUrl() {
        String env = System.getenv("OUTPOST_TEST_POSTGRES");
        return env == null || env.isBlank() ? DEFAULT_URL : env;
    }

    /** Creates database {@code outpost_test_<random>}, or skips the calling test class when PostgreSQL is away. */
    static PostgresFixture create() {
        DatabaseUrl admin = DatabaseUrl.parse(adminUrl());
        String database = "outpost_test_" + Ids.random(10);
        try (Connection c = connect(admin, admin.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            TestRequire.component("postgresql", false, "cannot create a database on " + admin.display() + ": " + e.getMessage());
        }
        return new PostgresFixture(admin, database);
    }

    /** A store URL for a new, empty schema of this class's database: every test starts from scratch. */
    String freshSchemaUrl() throws SQLException {
        String schema = "t_" + Ids.random(10);
        try (Connection c = connect(admin, databaseJdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String base = adminUrl();
        int slash = base.indexOf('/', base.indexOf("://") + 3);
        return base.substring(0, slash) + "/" + database + "?currentSchema=" + schema;
    }

    String database() {
        return database;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(admin, admin.jdbcUrl()); Statement s = c.createStatement()) {
            // FORCE ends connections a failed test may have left open (PostgreSQL 13+)
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private String databaseJdbcUrl() {
        String jdbc = admin.jdbcUrl();
        int slash = jdbc.indexOf('/', "jdbc:postgresql://".length());
        return jdbc.substring(0, slash) + "/" + database;
    }

    private static Connection connect(DatabaseUrl admin, String jdbcUrl) throws SQLException {
        Properties props = new Properties();
        if (admin.user() != null) {
            props.setProperty("user", admin.user());
        }
        if (admin.password() != null) {
            props.setProperty("password", admin.password());
        }
        props.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(jdbcUrl, props);
    }
}
