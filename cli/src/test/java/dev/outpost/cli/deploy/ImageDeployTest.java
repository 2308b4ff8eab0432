package dev.outpost.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.DockerFixture;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateReleaseRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost deploy} of Docker apps with the real docker CLI and Engine, pushing to the fake
 * API's registry on loopback (Docker treats 127.0.0.0/8 as an insecure, plain-HTTP registry).
 */
class ImageDeployTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;
    private String registry;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.addApp("hello", "iad", Map.of());
        registry = ImagePublisher.registryOf(URI.create(fake.url()));
    }

    @AfterEach
    void stop() throws Exception {
        fake.close();
        DockerFixture.removeImages(registry + "/");
    }

    @Test
    void dockerfileIsBuiltPushedAndReleasedByItsManifestDigest() throws Exception {
        DockerFixture.require();
        toml("dockerfile = \"Dockerfile\"");
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + DockerFixture.BASE_IMAGE + "\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");

        Result r = deploy();

        assertThat(r.exit()).as(r.toString()).isZero();
        CreateReleaseRequest release = onlyRelease();
        String reference = release.config().build().image();
        assertThat(reference).startsWith(registry + "/hello:deployment-");
        assertThat(release.config().build().dockerfile()).isNull();
        String tag = reference.substring(reference.lastIndexOf(':') + 1);
        assertThat(release.artifactDigest()).isEqualTo(fake.manifest("hello", tag)).startsWith("sha256:");
        JsonNode manifest = Json.mapper().readTree(fake.blob(release.artifactDigest()));
        assertThat(manifest.path("layers")).isNotEmpty();
        assertThat(fake.blob(manifest.path("config").path("digest").asText())).isNotNull();
        assertThat(r.out()).contains("building " + reference).contains("Step 2/2 : CMD").contains("pushing " + reference)
                .containsPattern("layer [0-9a-f]{12}: Pushed").contains("release v1 of hello is active");
        assertThat(fake.requests("POST", "/v2/hello/blobs/uploads")).isNotEmpty()
                .allSatisfy(s -> assertThat(s.authorization()).startsWith("Basic "));
    }

    @Test
    void failingDockerfileShowsItsOutputAndDeploysNothing() throws Exception {
        DockerFixture.require();
        toml("dockerfile = \"Dockerfile\"");
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + DockerFixture.BASE_IMAGE + "\nRUN echo outpost-test-about-to-fail && exit 7\n");

        Result r = deploy();

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("outpost-test-about-to-fail").contains("returned a non-zero code: 7");
        assertThat(r.err()).contains("docker build of").contains("failed with exit code").contains("nothing was pushed or deployed");
        assertThat(fake.requests().stream().filter(s -> s.path().startsWith("/v2"))).isEmpty();
        assertThat(fake.releases("hello")).isEmpty();
    }

    @Test
    void imageOptionPushesALocalImageAndASecondPushUploadsNoLayer() throws Exception {
        DockerFixture.require();
        toml("cmd = \"python3 server.py\"");

        Result first = deploy("--image", DockerFixture.BASE_IMAGE, "--json");
        Result second = deploy("--image", DockerFixture.BASE_IMAGE, "--json");

        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(second.exit()).as(second.toString()).isZero();
        JsonNode one = Json.mapper().readTree(first.out());
        JsonNode two = Json.mapper().readTree(second.out());
        assertThat(one.path("uploaded").asBoolean()).isTrue();
        assertThat(two.path("uploaded").asBoolean()).as(second.err()).isFalse();
        assertThat(two.path("digest").asText()).as("the same image has the same manifest").isEqualTo(one.path("digest").asText());
        assertThat(second.err()).contains("tagged " + DockerFixture.BASE_IMAGE + " as " + registry + "/hello:deployment-")
                .containsPattern("layer [0-9a-f]{12}: Layer already exists");
        assertThat(fake.releases("hello")).hasSize(2).allSatisfy(rel -> {
            assertThat(rel.config().build().image()).startsWith(registry + "/hello:deployment-");
            assertThat(rel.config().build().cmd()).isEmpty();
        });
    }

    @Test
    void missingLocalImageIsNamedAndNothingIsPushed() throws Exception {
        DockerFixture.require();
        toml("image = \"outpost-test-absent/hello:0\"");

        Result r = deploy();

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("there is no local image outpost-test-absent/hello:0").contains("docker images");
        assertThat(fake.requests().stream().filter(s -> s.path().startsWith("/v2"))).isEmpty();
        assertThat(fake.releases("hello")).isEmpty();
    }

    @Test
    void missingDockerIsAClearErrorBeforeAnythingIsCreated() throws Exception {
        toml("dockerfile = \"Dockerfile\"");
        StringWriter out = new StringWriter();
        Docker absent = new Docker(dir.resolve("bin/docker").toString(), Map.of());
        try (var api = new dev.outpost.cli.api.ApiClient(URI.create(fake.url()), FakeOutpostApi.TOKEN)) {
            Deployer deployer = new Deployer(api, new PrintWriter(out), false, new ImagePublisher(absent, home.resolve(".docker"), new PrintWriter(out)));
            var config = dev.outpost.core.config.ConfigParser.parse(dir.resolve("outpost.toml"));

            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            deployer.deploy(new DeployRequest(dir, "hello", config, false, Duration.ofSeconds(10))))
                    .isInstanceOf(DockerException.class).hasMessageContaining("docker is not installed");
        }
        assertThat(fake.releases("hello")).isEmpty();
        assertThat(fake.requests().stream().filter(s -> s.path().startsWith("/v2"))).isEmpty();
    }

    private void toml(String build) throws Exception {
        Files.writeString(dir.resolve("outpost.toml"), """
                app = "hello"
                primary_region = "iad"

                [build]
                %s
                """.formatted(build));
    }

    private Result deploy(String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "deploy";
        args[1] = "--dir";
        args[2] = dir.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }

    private CreateReleaseRequest onlyRelease() throws Exception {
        var posts = fake.requests("POST", "/v1/apps/hello/releases");
        assertThat(posts).hasSize(1);
        return Json.mapper().readValue(posts.getFirst().body(), CreateReleaseRequest.class);
    }
}
