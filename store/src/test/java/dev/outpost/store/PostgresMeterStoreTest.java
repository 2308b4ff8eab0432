package dev.outpost.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link MeterStoreTest} on PostgreSQL: one fresh database for the class, one fresh schema per test. */
class PostgresMeterStoreTest extends MeterStoreTest {
    private static PostgresFixture postgres;

    @BeforeAll
    static void createDatabase() {
        postgres = PostgresFixture.create();
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    protected String freshUrl() throws Exception {
        return postgres.freshSchemaUrl();
    }
}
