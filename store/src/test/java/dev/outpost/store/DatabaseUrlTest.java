package dev.outpost.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseUrlTest {

    @ParameterizedTest
    @CsvSource({
            "sqlite:/var/lib/outpost/outpost.db, /var/lib/outpost/outpost.db",
            "sqlite:///var/lib/outpost/outpost.db, /var/lib/outpost/outpost.db",
            "jdbc:sqlite:/var/lib/outpost/outpost.db, /var/lib/outpost/outpost.db",
            "/var/lib/outpost/outpost.db, /var/lib/outpost/outpost.db",
            "/var/lib/outpost/../outpost.db, /var/lib/outpost.db",
    })
    void sqliteFormsNameAnAbsoluteFile(String url, String file) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);

        assertThat(parsed.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(parsed.sqliteFile()).isEqualTo(Path.of(file));
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:sqlite:" + file);
    }

    @Test
    void postgresqlUrlSplitsOutTheCredentialsAndKeepsTheOptions() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://outpost:s%40cret@db.internal:5433/outpost?sslmode=require");

        assertThat(parsed.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/outpost?sslmode=require");
        assertThat(parsed.user()).isEqualTo("outpost");
        assertThat(parsed.password()).isEqualTo("s@cret");
        assertThat(parsed.display()).isEqualTo("postgresql://outpost:***@db.internal:5433/outpost?sslmode=require");
        assertThat(parsed.toString()).doesNotContain("cret");
    }

    @Test
    void jdbcPostgresqlUrlIsAcceptedAndItsPasswordParameterMasked() {
        DatabaseUrl parsed = DatabaseUrl.parse("jdbc:postgresql://127.0.0.1/outpost?user=u&password=hunter2");

        assertThat(parsed.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/outpost?user=u&password=hunter2");
        assertThat(parsed.display()).isEqualTo("postgresql://127.0.0.1/outpost?user=u&password=***");
    }

    @Test
    void unsupportedSchemeIsRejectedWithTheExpectedForms() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:topsecret@127.0.0.1/outpost"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("mysql://root:***@127.0.0.1/outpost")
                .hasMessageContaining("postgresql://user:pass@host:port/db")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void emptyAndMemoryUrlsAreRejected() {
        assertThatThrownBy(() -> DatabaseUrl.parse(" ")).isInstanceOf(StoreException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> DatabaseUrl.parse("sqlite::memory:"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("names no database file");
    }
}
