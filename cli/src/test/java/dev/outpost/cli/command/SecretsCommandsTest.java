package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.Environment;
import dev.outpost.cli.OutpostCommand;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.model.ReleaseStatus;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SecretsCommandsTest {
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

    private Result deploy() {
        Result r = CliRunner.run(env, "deploy");
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void setSendsTheValuesAndFollowsTheReleaseItMakes() throws Exception {
        deploy();

        Result r = CliRunner.run(env, "secrets", "set", "API_KEY=s3cr3t", "DB_URL=postgres://u:p@db/x=y");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.secrets("hello")).isEqualTo(Map.of("API_KEY", "s3cr3t", "DB_URL", "postgres://u:p@db/x=y"));
        assertThat(r.out()).contains("secrets of hello changed; release v2 rolls them out").contains("release v2 of hello is active")
                .doesNotContain("s3cr3t");
        assertThat(fake.releases("hello").get(1).artifactDigest()).isEqualTo(fake.releases("hello").getFirst().artifactDigest());
    }

    @Test
    void aDashReadsTheValueFromStdinWithoutItsTrailingNewline() throws Exception {
        deploy();
        StringWriter out = new StringWriter();
        CommandLine cli = OutpostCommand.commandLine(env);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        SecretsSetCommand set = cli.getSubcommands().get("secrets").getSubcommands().get("set").getCommand();
        set.stdin = new ByteArrayInputStream("from stdin\n".getBytes(StandardCharsets.UTF_8));

        int exit = cli.execute("secrets", "set", "TOKEN=-", "--detach");

        assertThat(exit).as(out.toString()).isZero();
        ChangeSecretsRequest sent = Json.mapper().readValue(fake.requests("PATCH", "/v1/apps/hello/secrets").getFirst().body(),
                ChangeSecretsRequest.class);
        assertThat(sent.set()).isEqualTo(Map.of("TOKEN", "from stdin"));
        assertThat(out.toString()).contains("release v2 of hello is deploying").doesNotContain("from stdin");
    }

    @Test
    void withoutAReleaseTheSecretsWaitForTheFirstDeploy() {
        Result r = CliRunner.run(env, "secrets", "set", "API_KEY=x");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("has no release yet: its first deploy runs with them");
        assertThat(fake.releases("hello")).isEmpty();
    }

    @Test
    void unsetRemovesAndAnUnknownNameFailsNamingIt() {
        deploy();
        CliRunner.run(env, "secrets", "set", "A=1", "B=2");

        Result ok = CliRunner.run(env, "secrets", "unset", "A");
        Result unknown = CliRunner.run(env, "secrets", "unset", "NOPE");

        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(fake.secrets("hello")).isEqualTo(Map.of("B", "2"));
        assertThat(fake.releases("hello")).hasSize(3);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("secret NOPE of app hello is not set");
    }

    @Test
    void listShowsNamesAndDigestsButNoValues() throws Exception {
        CliRunner.run(env, "secrets", "set", "API_KEY=value-one", "OTHER=value-two");

        Result table = CliRunner.run(env, "secrets", "list");
        Result json = CliRunner.run(env, "secrets", "list", "--json", "--app", "hello");

        assertThat(table.exit()).as(table.toString()).isZero();
        String digest = FakeOutpostApi.sha256("value-one".getBytes(StandardCharsets.UTF_8)).substring(7, 23);
        assertThat(table.out()).contains("API_KEY").contains(digest).contains("OTHER").doesNotContain("value-one").doesNotContain("value-two");
        assertThat(Json.mapper().readTree(json.out()).get(0).get("name").asText()).isEqualTo("API_KEY");
        assertThat(json.out()).doesNotContain("value-one");
    }

    @Test
    void anArgumentWithoutANameIsWrongUsageAndIsNotEchoed() {
        Result r = CliRunner.run(env, "secrets", "set", "just-a-secret-value");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("secrets are NAME=VALUE").doesNotContain("just-a-secret-value");
        assertThat(fake.requests("PATCH", "/v1/apps/hello/secrets")).isEmpty();
    }

    @Test
    void aFailedRolloutExitsWithOne() {
        deploy();
        fake.deploysEndAs(ReleaseStatus.FAILED, null);

        Result r = CliRunner.run(env, "secrets", "set", "K=v");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(fake.releases("hello").getLast().status()).isEqualTo(ReleaseStatus.FAILED);
        assertThat(List.of(r.out(), r.err())).noneMatch(s -> s.contains("=v"));
    }
}
