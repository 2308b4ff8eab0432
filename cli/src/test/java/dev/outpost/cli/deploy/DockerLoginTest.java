package dev.outpost.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerLoginTest {
    @TempDir
    Path userConfig;

    @Test
    void holdsTheTokenAsBasicPasswordForTheRegistryInAPrivateFileAndDeletesItOnClose() throws Exception {
        Path dir;
        try (DockerLogin login = DockerLogin.create("127.0.0.1:7280", "op_secret", userConfig)) {
            dir = login.dir();
            Path file = dir.resolve("config.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            JsonNode auth = Json.mapper().readTree(file.toFile()).path("auths").path("127.0.0.1:7280").path("auth");
            assertThat(new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8)).isEqualTo("outpost:op_secret");
        }
        assertThat(dir).doesNotExist();
        assertThat(userConfig).isEmptyDirectory();
    }

    @Test
    void keepsTheUsersDockerContextSoThePushReachesTheSameDaemon() throws Exception {
        Files.writeString(userConfig.resolve("config.json"), "{\"currentContext\":\"colima\",\"auths\":{\"ghcr.io\":{\"auth\":\"eDp5\"}}}");
        Files.createDirectories(userConfig.resolve("contexts/meta"));

        try (DockerLogin login = DockerLogin.create("127.0.0.1:7280", "t", userConfig)) {
            JsonNode config = Json.mapper().readTree(login.dir().resolve("config.json").toFile());
            assertThat(config.path("currentContext").asText()).isEqualTo("colima");
            assertThat(config.path("auths").has("ghcr.io")).as("other registries' credentials are not copied").isFalse();
            assertThat(Files.isSymbolicLink(login.dir().resolve("contexts"))).isTrue();
            assertThat(login.dir().resolve("contexts/meta")).isDirectory();
        }
        assertThat(userConfig.resolve("contexts/meta")).as("closing never deletes through the link").isDirectory();
    }

    @Test
    void userConfigIsDockerConfigElseDotDockerInHome() {
        assertThat(DockerLogin.userConfig(Map.of("DOCKER_CONFIG", "/etc/dc"), Path.of("/home/u"))).isEqualTo(Path.of("/etc/dc"));
        assertThat(DockerLogin.userConfig(Map.of(), Path.of("/home/u"))).isEqualTo(Path.of("/home/u/.docker"));
    }
}
