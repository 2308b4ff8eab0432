package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.testing.TestRequire;
import dev.outpost.server.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/apps/{app}/releases} of images: the manifest must be in the app's own repository,
 * pushed there with the real {@code docker push} (through a temporary docker config holding the
 * token, as {@code outpost deploy} does); bundles keep their rules.
 */
class ImageReleaseTest {
    private static final Pattern PUSHED = Pattern.compile("digest: (sha256:[a-f0-9]{64})");
    private static final String BASE_IMAGE = "outpost-test/busybox:1";

    @TempDir
    Path dir;
    private ServerFixture f;
    private String registry;
    private final List<String> tags = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir.resolve("server"));
        for (String app : List.of("web", "other")) {
            assertThat(f.call("POST", "/v1/apps", new CreateAppRequest(app, "iad")).statusCode()).isEqualTo(201);
        }
        registry = "127.0.0.1:" + f.server.url().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (String tag : tags) {
            Run r = run("docker", "image", "rm", tag);
            assertThat(r.exit()).as("removing " + tag + ": " + r.output()).isZero();
        }
        f.close();
    }

    @Test
    void imageReleaseWhoseManifestWasNeverPushedIsRefused() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);

        HttpResponse<String> r = release("web", digest, Map.of("image", registry + "/web:deployment-1"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(detail(r)).isEqualTo("image " + digest + " is not in the app's registry repository (web): push it first (outpost deploy does)");
    }

    @Test
    void pushedImageIsAcceptedWithoutACommandAndOnlyInItsOwnRepository() throws Exception {
        requireDocker();
        String digest = push("other", "deployment-1");

        HttpResponse<String> elsewhere = release("web", digest, Map.of("image", registry + "/other:deployment-1"));
        HttpResponse<String> own = release("other", digest, Map.of("image", registry + "/other:deployment-1"));

        assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(400);
        assertThat(detail(elsewhere)).contains("is not in the app's registry repository (web)");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(201);
        JsonNode created = Json.mapper().readTree(own.body());
        assertThat(created.path("artifactDigest").asText()).isEqualTo(digest);
        assertThat(created.path("config").path("build").path("image").asText()).isEqualTo(registry + "/other:deployment-1");
        assertThat(created.path("status").asText()).isEqualTo("deploying");
    }

    @Test
    void aLayerOfAPushedImageIsNotAnImage() throws Exception {
        requireDocker();
        String digest = push("web", "deployment-1");
        JsonNode manifest = Json.mapper().readTree(f.call("GET", "/v2/web/manifests/" + digest, null).body());
        String layer = manifest.path("layers").path(0).path("digest").asText();
        assertThat(layer).startsWith("sha256:");

        HttpResponse<String> r = release("web", layer, Map.of("image", registry + "/web:deployment-1"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(detail(r)).contains("image " + layer + " is not in the app's registry repository");
    }

    @Test
    void bundleReleasesStillNeedTheirBlobAndACommand() throws Exception {
        byte[] bundle = "not really a tar".getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bundle));
        assertThat(f.call("POST", "/v2/web/blobs/uploads/?digest=" + digest, new String(bundle, StandardCharsets.UTF_8)).statusCode()).isEqualTo(201);

        HttpResponse<String> noCommand = release("web", digest, Map.of());
        HttpResponse<String> withCommand = release("web", digest, Map.of("cmd", List.of("sh", "-c", "httpd -f -p $PORT")));

        assertThat(noCommand.statusCode()).isEqualTo(400);
        assertThat(detail(noCommand)).contains("config.build.cmd is empty").contains("[build] dockerfile or image");
        assertThat(withCommand.statusCode()).as(withCommand.body()).isEqualTo(201);
    }

    // ---- helpers ----

    private HttpResponse<String> release(String app, String digest, Map<String, Object> build) throws Exception {
        return f.call("POST", "/v1/apps/" + app + "/releases", Map.of("artifactDigest", digest, "config", Map.of("app", app, "build", build)));
    }

    private static String detail(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body()).path("detail").asText();
    }

    /** Tags the base image as {@code <registry>/<repo>:<tag>} and pushes it with the token; answers the manifest digest. */
    private String push(String repo, String tag) throws Exception {
        String reference = registry + "/" + repo + ":" + tag;
        Run tagged = run("docker", "tag", BASE_IMAGE, reference);
        assertThat(tagged.exit()).as(tagged.output()).isZero();
        tags.add(reference);
        Path config = Files.createDirectories(dir.resolve("docker-config"));
        String auth = Base64.getEncoder().encodeToString(("outpost:" + f.token).getBytes(StandardCharsets.UTF_8));
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}}");
        Run pushed = run("docker", "--config", config.toString(), "push", reference);
        assertThat(pushed.exit()).as(pushed.output()).isZero();
        Matcher m = PUSHED.matcher(pushed.output());
        assertThat(m.find()).as(pushed.output()).isTrue();
        return m.group(1);
    }

    private static void requireDocker() throws Exception {
        boolean answers = TestRequire.onPath("docker") && run("docker", "version", "--format", "{{.Server.Version}}").exit() == 0;
        TestRequire.component("docker", answers, "no docker CLI on PATH or no Docker Engine answering on its socket");
        if (run("docker", "image", "inspect", BASE_IMAGE).exit() != 0) {
            Path script = Path.of("").toAbsolutePath();
            while (script != null && !Files.isRegularFile(script.resolve("scripts/docker-test-image"))) {
                script = script.getParent();
            }
            assertThat(script).as("scripts/docker-test-image above the working directory").isNotNull();
            Run built = run(script.resolve("scripts/docker-test-image").toString());
            assertThat(built.exit()).as(built.output()).isZero();
        }
    }

    private record Run(int exit, String output) {}

    private static Run run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 2 minutes:\n" + output);
        }
        return new Run(p.exitValue(), output);
    }
}
