package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.Environment;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.model.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;
    private Environment env;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.addApp("hello", "iad", Map.of("iad", 1));
        Files.writeString(dir.resolve("outpost.toml"), """
                app = "hello"
                primary_region = "iad"

                [build]
                cmd = "python3 server.py"
                """);
        env = CliRunner.environment(fake, home, dir);
        Files.writeString(dir.resolve("server.py"), "print('v1')\n");
        assertThat(CliRunner.run(env, "deploy").exit()).isZero();
        // a second release that serves, so v1 is superseded
        assertThat(CliRunner.run(env, "secrets", "set", "K=v").exit()).isZero();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void withoutAVersionItAsksForThePreviousReleaseAndFollowsTheNewOne() throws Exception {
        Result r = CliRunner.run(env, "rollback");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(new String(fake.requests("POST", "/v1/apps/hello/rollback").getFirst().body())).isEqualTo("{\"version\":null}");
        assertThat(r.out()).contains("release v3 of hello: rollback to v1").contains("release v3 of hello is active");
        List<Release> releases = fake.releases("hello");
        assertThat(releases.getLast().artifactDigest()).isEqualTo(releases.getFirst().artifactDigest());
    }

    @Test
    void anExplicitVersionMayBeWrittenWithAV() throws Exception {
        Result r = CliRunner.run(env, "rollback", "v1", "--detach", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode body = Json.mapper().readTree(fake.requests("POST", "/v1/apps/hello/rollback").getFirst().body());
        assertThat(body.get("version").asInt()).isEqualTo(1);
        assertThat(Json.mapper().readTree(r.out()).get("version").asInt()).isEqualTo(3);
    }

    @Test
    void theServingReleaseAndUnknownOnesFailWithTheServersWords() {
        Result current = CliRunner.run(env, "rollback", "2");
        Result unknown = CliRunner.run(env, "rollback", "9");
        Result garbage = CliRunner.run(env, "rollback", "latest");

        assertThat(current.exit()).isEqualTo(1);
        assertThat(current.err()).contains("v2 is already serving");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("release v9 of app hello not found");
        assertThat(garbage.exit()).isEqualTo(2);
        assertThat(garbage.err()).contains("VERSION \"latest\" is not a release number");
        assertThat(fake.releases("hello")).hasSize(2);
    }
}
