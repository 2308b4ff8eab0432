package dev.outpost.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretNamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"API_KEY", "_x", "database_url", "A1"})
    void environmentNamesAreAccepted(String name) {
        assertThat(SecretNames.check(name)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
            "1ABC, not an environment variable name",
            "A-B, not an environment variable name",
            "'A B', not an environment variable name",
            "PORT, reserved",
            "OUTPOST_APP, reserved",
    })
    void otherNamesAreRefusedSayingWhy(String name, String why) {
        assertThat(SecretNames.check(name)).contains(why);
    }

    @Test
    void emptyAndOverlongNamesAreRefused() {
        assertThat(SecretNames.check("")).contains("empty");
        assertThat(SecretNames.check("A".repeat(256))).contains("up to 255");
    }
}
