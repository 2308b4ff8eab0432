package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.bundle.Bundle;
import dev.outpost.cli.bundle.BundlePacker;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.ReleaseStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    @TempDir
    Path scratch;
    private FakeOutpostApi fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.addApp("hello", "iad", Map.of());
        Files.writeString(dir.resolve("server.py"), "print('hi')\n");
        Files.writeString(dir.resolve("outpost.toml"), """
                app = "hello"
                primary_region = "iad"

                [build]
                cmd = "python3 server.py"

                [scale]
                regions = { iad = 2, ams = 1 }
                """);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void uploadsTheBundleUnderItsDigestAndWaitsUntilActive() throws Exception {
        String digest;
        try (Bundle expected = BundlePacker.pack(dir, scratch.resolve("expected.tar"))) {
            digest = expected.digest();
        }

        Result r = run("deploy", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.requests("POST", "/v2/hello/blobs/uploads")).hasSize(1);
        assertThat(FakeOutpostApi.sha256(fake.blob(digest))).isEqualTo(digest);
        CreateReleaseRequest release = Json.mapper().readValue(
                fake.requests("POST", "/v1/apps/hello/releases").getFirst().body(), CreateReleaseRequest.class);
        assertThat(release.artifactDigest()).isEqualTo(digest);
        assertThat(release.config().app()).isEqualTo("hello");
        assertThat(release.config().build().cmd()).containsExactly("sh", "-c", "python3 server.py");
        assertThat(r.out()).contains("iad   0/2 healthy, 2 starting").contains("iad   2/2 healthy").contains("ams   1/1 healthy")
                .contains("release v1 of hello is active").contains("Host: hello.outpost.localhost");
    }

    @Test
    void theActiveHintNamesTheEdgeOutpostDevRunsNotAGuessedPort() throws Exception {
        Result unknown = run("deploy", "--dir", dir.toString());
        assertThat(unknown.out()).contains("release v1 of hello is active").doesNotContain("curl").doesNotContain(":8080");

        // What `outpost dev --http-port 8582` writes: its API (the one this CLI talks to) and its first edge.
        dev.outpost.cli.context.Context.write(home.resolve("config"), java.net.URI.create(fake.url()), FakeOutpostApi.TOKEN,
                "127.1.0.1:8582");
        Result known = run("deploy", "--dir", dir.toString());
        assertThat(known.exit()).as(known.toString()).isZero();
        assertThat(known.out()).contains("release v2 of hello is active")
                .contains("curl -H 'Host: hello.outpost.localhost' http://127.1.0.1:8582/");
    }

    @Test
    void seedsScaleFromOutpostTomlBeforeCreatingTheRelease() {
        assertThat(run("deploy", "--dir", dir.toString()).exit()).isZero();

        assertThat(fake.app("hello").scale()).isEqualTo(Map.of("iad", 2, "ams", 1));
        List<String> order = fake.requests().stream().map(s -> s.method() + " " + s.path())
                .filter(s -> s.equals("PUT /v1/apps/hello/scale") || s.equals("POST /v1/apps/hello/releases")).toList();
        assertThat(order).containsExactly("PUT /v1/apps/hello/scale", "POST /v1/apps/hello/releases");
    }

    @Test
    void keepsScaleChangedSinceTheFirstDeploy() {
        fake.addApp("hello", "iad", Map.of("iad", 5, "ams", 1));

        assertThat(run("deploy", "--dir", dir.toString()).exit()).isZero();

        assertThat(fake.requests("PUT", "/v1/apps/hello/scale")).isEmpty();
        assertThat(fake.app("hello").scale()).isEqualTo(Map.of("iad", 5, "ams", 1));
    }

    @Test
    void skipsTheUploadWhenTheRegistryHasTheBlob() throws Exception {
        try (Bundle expected = BundlePacker.pack(dir, scratch.resolve("expected.tar"))) {
            fake.addBlob(expected.digest(), Files.readAllBytes(expected.file()));
        }

        Result r = run("deploy", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.requests("HEAD", "/v2/hello/blobs/")).hasSize(1);
        assertThat(fake.requests("POST", "/v2/")).isEmpty();
        assertThat(r.out()).contains("already has");
    }

    @Test
    void failedReleasePrintsWhyAndExitsOne() {
        fake.deploysEndAs(ReleaseStatus.FAILED, new DeployFailure("instance exited before passing its checks",
                "iad-1-0", "iad", 3, "GET / on port 8080: connection refused", List.of("Traceback (most recent call last):", "ImportError: flask")));

        Result r = run("deploy", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("release v1 of hello failed: instance exited before passing its checks")
                .contains("  instance iad-1-0 in iad")
                .contains("  exit code 3")
                .contains("  failing check: GET / on port 8080: connection refused")
                .contains("  last log lines:\n    Traceback (most recent call last):\n    ImportError: flask");
        assertThat(fake.requests("GET", "/v1/apps/hello/releases/1")).hasSize(1);
    }

    @Test
    void keepsFollowingThroughAServerHiccup() {
        fake.failStatusCalls(1);

        Result r = run("deploy", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("the server is restarting").contains("trying again in 1s").contains("is active");
    }

    @Test
    void stopsFollowingAtTheWaitTimeout() {
        fake.failStatusCalls(100);

        Result r = run("deploy", "--dir", dir.toString(), "--wait-timeout", "300ms");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("release v1 of hello is still deploying after 300ms");
    }

    @Test
    void jsonPrintsOneObjectAndProgressGoesToStderr() throws Exception {
        Result r = run("deploy", "--dir", dir.toString(), "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode result = Json.mapper().readTree(r.out());
        assertThat(result.path("status").asText()).isEqualTo("active");
        assertThat(result.path("release").asInt()).isEqualTo(1);
        assertThat(result.path("host").asText()).isEqualTo("hello.outpost.localhost");
        assertThat(r.err()).contains("healthy");
    }

    @Test
    void detachReturnsOnceTheReleaseExists() {
        Result r = run("deploy", "--dir", dir.toString(), "--detach");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("release v1 of hello is deploying");
        assertThat(fake.requests("GET", "/v1/apps/hello/status")).isEmpty();
    }

    @Test
    void appOptionOverridesTheToml() {
        fake.addApp("other", "iad", Map.of("iad", 1));

        assertThat(run("deploy", "--dir", dir.toString(), "--app", "other").exit()).isZero();

        assertThat(fake.releases("other")).hasSize(1);
        assertThat(fake.releases("other").getFirst().config().app()).isEqualTo("other");
        assertThat(fake.releases("hello")).isEmpty();
    }

    @Test
    void unknownAppSaysToLaunch() {
        Result r = run("deploy", "--dir", dir.toString(), "--app", "ghost");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("app ghost does not exist on " + fake.url() + ": create it with `outpost launch`");
        assertThat(fake.requests("POST", "/")).isEmpty();
    }

    @Test
    void missingTomlSaysToLaunch() {
        Result r = run("deploy", "--dir", scratch.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no outpost.toml in " + scratch).contains("outpost launch");
    }

    private Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }
}
