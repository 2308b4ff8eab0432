package dev.outpost.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartCreatesA32ByteKeyReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("data/secrets.key");

        SecretKeyFile.open(file);

        assertThat(Files.size(file)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void laterStartsUseTheSameKey() {
        Path file = dir.resolve("secrets.key");
        String sealed = SecretKeyFile.open(file).seal("hello", "K", "value");

        assertThat(SecretKeyFile.open(file).open("hello", "K", sealed)).isEqualTo("value");
    }

    @Test
    void aKeyOthersCanReadIsRefusedWithHowToFixIt() throws Exception {
        Path file = dir.resolve("secrets.key");
        SecretKeyFile.open(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> SecretKeyFile.open(file))
                .isInstanceOf(SecretsException.class)
                .hasMessageContaining("has mode rw-r--r--")
                .hasMessageContaining("chmod 600 " + file);
    }

    @Test
    void aGroupWritableKeyIsRefusedToo() throws Exception {
        Path file = dir.resolve("secrets.key");
        SecretKeyFile.open(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));

        assertThatThrownBy(() -> SecretKeyFile.open(file)).isInstanceOf(SecretsException.class).hasMessageContaining("chmod 600");
    }

    @Test
    void aMalformedKeyIsRefused() throws Exception {
        Path file = dir.resolve("secrets.key");
        Files.writeString(file, "not a key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> SecretKeyFile.open(file))
                .isInstanceOf(SecretsException.class)
                .hasMessageContaining("secrets key " + file + " is malformed: 10 bytes, expected 32");
    }

    @Test
    void aDirectoryInItsPlaceIsRefused() throws Exception {
        Path file = dir.resolve("secrets.key");
        Files.createDirectory(file);

        assertThatThrownBy(() -> SecretKeyFile.open(file)).isInstanceOf(SecretsException.class).hasMessageContaining("not a regular file");
    }
}
