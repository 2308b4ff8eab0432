package dev.outpost.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Brings a database to the current schema with the Flyway migrations in {@code db/migration}; idempotent. */
final class Migrations {
    static final String LOCATION = "classpath:db/migration";

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {}

    static void migrate(DataSource dataSource, DatabaseUrl url) {
        try {
            MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(LOCATION)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                log.info("store {}: applied {} migration(s), schema now at version {}", url.display(),
                        result.migrationsExecuted, result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw new StoreException("migrating store " + url.display() + " failed: " + ConnectionPool.rootMessage(e), e);
        }
    }
}
