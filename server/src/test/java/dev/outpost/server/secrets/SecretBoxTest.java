package dev.outpost.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static byte[] key() {
        byte[] key = new byte[SecretBox.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private final SecretBox box = new SecretBox(key());

    @Test
    void opensWhatItSealedAndTheSealedFormHidesTheValue() {
        String value = "postgres://user:hunter2@db:5432/app ünïcode";

        String sealed = box.seal("hello", "DATABASE_URL", value);

        assertThat(sealed).doesNotContain("hunter2");
        assertThat(new String(Base64.getDecoder().decode(sealed), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");
        assertThat(box.open("hello", "DATABASE_URL", sealed)).isEqualTo(value);
    }

    @Test
    void everySealUsesAFreshNonce() {
        String a = box.seal("hello", "K", "same");
        String b = box.seal("hello", "K", "same");

        assertThat(a).isNotEqualTo(b);
        assertThat(Base64.getDecoder().decode(a)).hasSize(12 + 4 + 16);
        assertThat(java.util.Arrays.copyOf(Base64.getDecoder().decode(a), 12)).isNotEqualTo(java.util.Arrays.copyOf(Base64.getDecoder().decode(b), 12));
    }

    @Test
    void anotherKeyCannotOpenIt() {
        String sealed = box.seal("hello", "K", "v");

        assertThatThrownBy(() -> new SecretBox(key()).open("hello", "K", sealed))
                .isInstanceOf(SecretsException.class)
                .hasMessageContaining("secret K of app hello does not open with this server's secrets.key")
                .hasMessageNotContaining("v\"");
    }

    @Test
    void aTamperedValueDoesNotOpen() {
        byte[] bytes = Base64.getDecoder().decode(box.seal("hello", "K", "value"));
        bytes[14] ^= 1;

        assertThatThrownBy(() -> box.open("hello", "K", Base64.getEncoder().encodeToString(bytes)))
                .isInstanceOf(SecretsException.class).hasMessageContaining("altered");
    }

    @Test
    void aValueMovedToAnotherNameOrAppDoesNotOpen() {
        String sealed = box.seal("hello", "K", "value");

        assertThatThrownBy(() -> box.open("hello", "OTHER", sealed)).isInstanceOf(SecretsException.class);
        assertThatThrownBy(() -> box.open("other", "K", sealed)).isInstanceOf(SecretsException.class);
    }

    @Test
    void garbageIsNotASealedValue() {
        assertThatThrownBy(() -> box.open("hello", "K", "not base64!")).isInstanceOf(SecretsException.class).hasMessageContaining("not base64");
        assertThatThrownBy(() -> box.open("hello", "K", "AAAA")).isInstanceOf(SecretsException.class).hasMessageContaining("3 bytes");
    }

    @Test
    void aKeyMustBe32Bytes() {
        assertThatThrownBy(() -> new SecretBox(new byte[16])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes, not 16");
    }
}
