package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.Environment;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.model.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromoteCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;
    private Environment env;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.addApp("hello", "ams", Map.of("ams", 1));
        Files.writeString(dir.resolve("server.py"), "print('hi')\n");
        Files.writeString(dir.resolve("outpost.toml"), """
                app = "hello"
                primary_region = "iad"

                [build]
                cmd = "python3 server.py"
                """);
        env = CliRunner.environment(fake, home, dir);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void deployToStagingCreatesTheStagingAppInProductionsPrimaryRegion() throws Exception {
        Result r = CliRunner.run(env, "deploy", "--env", "staging");

        assertThat(r.exit()).as(r.toString()).isZero();
        CreateAppRequest created = Json.mapper().readValue(fake.requests("POST", "/v1/apps").stream()
                .filter(q -> q.path().equals("/v1/apps")).findFirst().orElseThrow().body(), CreateAppRequest.class);
        assertThat(created).isEqualTo(new CreateAppRequest("hello-staging", "ams"));
        assertThat(fake.app("hello-staging").scale()).isEqualTo(Map.of("iad", 1));
        assertThat(fake.releases("hello-staging")).singleElement().satisfies(rel -> assertThat(rel.config().app()).isEqualTo("hello-staging"));
        assertThat(fake.releases("hello")).isEmpty();
        assertThat(r.out()).contains("created app hello-staging").contains("release v1 of hello-staging is active");
    }

    @Test
    void aSecondStagingDeployReusesTheApp() {
        assertThat(CliRunner.run(env, "deploy", "--env", "staging").exit()).isZero();

        Result r = CliRunner.run(env, "deploy", "--env", "staging");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.requests("POST", "/v1/apps").stream().filter(q -> q.path().equals("/v1/apps"))).hasSize(1);
        assertThat(fake.releases("hello-staging")).hasSize(2);
    }

    @Test
    void anUnknownEnvironmentIsWrongUsage() {
        Result r = CliRunner.run(env, "deploy", "--env", "qa");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--env qa is not an environment");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void promoteMakesAProductionReleaseOfStagingsDigestAndFollowsIt() {
        assertThat(CliRunner.run(env, "deploy", "--env", "staging").exit()).isZero();
        Release staged = fake.releases("hello-staging").getFirst();

        Result r = CliRunner.run(env, "promote", "hello-staging", "hello");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(new String(fake.requests("POST", "/v1/apps/hello/promote").getFirst().body())).isEqualTo("{\"from\":\"hello-staging\"}");
        assertThat(fake.releases("hello")).singleElement().satisfies(rel -> assertThat(rel.artifactDigest()).isEqualTo(staged.artifactDigest()));
        assertThat(fake.requests("POST", "/v2/hello/blobs/uploads")).isEmpty();
        assertThat(r.out()).contains("release v1 of hello: promote hello-staging v1").contains("release v1 of hello is active");
    }

    @Test
    void promotingFromAnAppWithNothingServingFailsSayingSo() {
        fake.addApp("hello-staging", "ams", Map.of());

        Result r = CliRunner.run(env, "promote", "hello-staging", "hello");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("hello-staging has no serving release to promote");
    }
}
