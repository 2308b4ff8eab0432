package dev.outpost.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary Docker configuration directory ({@code docker --config DIR}) whose {@code config.json}
 * holds HTTP Basic credentials for one registry: user {@code outpost}, the API token as password,
 * as the Outpost registry takes them. The user's own {@code ~/.docker} is never written: a push
 * needs no {@code docker login}, and no token is left behind once this is closed.
 *
 * <p>The user's current Docker context (and the {@code contexts} directory that describes it) is
 * carried over, read-only, so the push talks to the same daemon their {@code docker build} did.
 */
public final class DockerLogin implements AutoCloseable {
    /** The user name sent with the token; the registry ignores it. */
    public static final String USER = "outpost";
    private static final Logger LOG = LoggerFactory.getLogger(DockerLogin.class);

    private final Path dir;

    private DockerLogin(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes the configuration for {@code registry} ({@code host:port}) with {@code token};
     * {@code userConfig} is the user's Docker configuration directory, whose context is kept.
     */
    public static DockerLogin create(String registry, String token, Path userConfig) throws DockerException {
        Path dir;
        try {
            dir = Files.createTempDirectory("outpost-docker-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new DockerException("cannot create a temporary Docker configuration directory: " + e.getMessage(), e);
        }
        DockerLogin login = new DockerLogin(dir);
        try {
            ObjectNode config = Json.mapper().createObjectNode();
            String auth = Base64.getEncoder().encodeToString((USER + ":" + token).getBytes(StandardCharsets.UTF_8));
            config.putObject("auths").set(registry, Json.mapper().valueToTree(Map.of("auth", auth)));
            String context = currentContext(userConfig);
            if (context != null) {
                config.put("currentContext", context);
            }
            Path contexts = userConfig.resolve("contexts");
            if (Files.isDirectory(contexts)) {
                Files.createSymbolicLink(dir.resolve("contexts"), contexts.toAbsolutePath());
            }
            Path file = dir.resolve("config.json");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, Json.mapper().writeValueAsBytes(config));
            return login;
        } catch (IOException e) {
            login.close();
            throw new DockerException("cannot write the temporary Docker configuration in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The user's Docker configuration directory: {@code DOCKER_CONFIG}, else {@code ~/.docker}. */
    public static Path userConfig(Map<String, String> variables, Path home) {
        String configured = variables.get("DOCKER_CONFIG");
        return configured != null && !configured.isBlank() ? Path.of(configured) : home.resolve(".docker");
    }

    /** The directory to pass as {@code docker --config}. */
    public Path dir() {
        return dir;
    }

    /** Deletes the directory and the token in it. */
    @Override
    public void close() throws DockerException {
        try {
            Files.deleteIfExists(dir.resolve("config.json"));
            Files.deleteIfExists(dir.resolve("contexts"));
            // docker may write state of its own (e.g. a features file) next to config.json
            try (var leftovers = Files.walk(dir)) {
                for (Path p : leftovers.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new DockerException("cannot delete the temporary Docker configuration " + dir + " (it holds the API token: delete it yourself): "
                    + e.getMessage(), e);
        }
    }

    private static String currentContext(Path userConfig) throws IOException {
        Path file = userConfig.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            // docker itself would refuse a broken config.json; without a context the push uses the default daemon
            LOG.debug("cannot read the Docker context from {}: {}", file, e.getMessage());
            return null;
        }
        JsonNode context = node.path("currentContext");
        return context.isTextual() && !context.asText().isBlank() ? context.asText() : null;
    }
}
