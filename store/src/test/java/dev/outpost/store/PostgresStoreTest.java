package dev.outpost.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link StoreTest} on PostgreSQL: one fresh database for the class, one fresh schema per test. */
class PostgresStoreTest extends StoreTest {
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

    @Test
    void targetNamesTheDatabaseWithoutThePassword() {
        String password = DatabaseUrl.parse(PostgresFixture.adminUrl()).password();
        assertThat(store.target()).contains(postgres.database());
        if (password != null) {
            assertThat(store.target()).doesNotContain(":" + password + "@").contains(":***@");
        }
    }
}
