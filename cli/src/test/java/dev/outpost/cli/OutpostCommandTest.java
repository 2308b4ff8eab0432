package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages: 0 done, 1 a failure to act on, 2 wrong usage; never a stack trace. */
class OutpostCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void unknownOptionIsUsageError() {
        Result r = run("status", "--bogus");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--bogus'");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void unknownSubcommandIsUsageError() {
        assertThat(run("deploi").exit()).isEqualTo(2);
    }

    @Test
    void destroyWithoutYesRefusesAndCallsNothing() {
        fake.addApp("hello", "iad", Map.of());

        Result r = run("apps", "destroy", "hello");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("add --yes");
        assertThat(fake.requests()).isEmpty();
        assertThat(fake.app("hello")).isNotNull();
    }

    @Test
    void destroyWithYesDeletesTheApp() {
        fake.addApp("hello", "iad", Map.of());

        Result r = run("apps", "destroy", "hello", "--yes");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("destroyed app hello");
        assertThat(fake.app("hello")).isNull();
    }

    @Test
    void badOutpostTomlFailsWithKeyAndLineBeforeAnyCall() throws Exception {
        Files.writeString(dir.resolve("outpost.toml"), """
                app = "hello"

                [[services]]
                internal_port = 99999
                """);

        Result r = run("deploy", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("line 4").contains("services[0].internal_port").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void noAppAnywhereIsUsageError() {
        Result r = run("status", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no app given: pass --app NAME or run in a directory with outpost.toml");
    }

    @Test
    void appComesFromOutpostTomlWhenNoAppOption() throws Exception {
        fake.addApp("fromtoml", "iad", Map.of());
        Files.writeString(dir.resolve("outpost.toml"), "app = \"fromtoml\"\n");

        Result r = run("releases", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.requests("GET", "/v1/apps/fromtoml/releases")).hasSize(1);
    }

    @Test
    void missingContextSaysHowToGetOne() {
        Environment env = new Environment(Map.of("OUTPOST_CONFIG_DIR", home.resolve("none").toString()), home, dir, false);

        Result r = CliRunner.run(env, "apps", "list");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("error: no Outpost context: run `outpost dev`, or set OUTPOST_API and OUTPOST_TOKEN");
    }

    @Test
    void unreachableServerIsAFailureNamingTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, String> vars = new HashMap<>(Map.of("OUTPOST_API", "http://127.0.0.1:" + port, "OUTPOST_TOKEN", "t"));
        Result r = CliRunner.run(new Environment(vars, home, dir, false), "apps", "list");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the Outpost API at http://127.0.0.1:" + port
                + ": connection refused (is `outpost dev` running?)");
    }

    @Test
    void apiErrorsAreOneLineFailures() {
        Result r = run("status", "--app", "ghost");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("error: app ghost not found (HTTP 404 from GET /v1/apps/ghost/status)");
    }

    @Test
    void badDurationIsUsageError() throws Exception {
        Files.writeString(dir.resolve("outpost.toml"), "app = \"hello\"\n");
        assertThat(run("deploy", "--dir", dir.toString(), "--wait-timeout", "soon").exit()).isEqualTo(2);
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void groupWithoutSubcommandIsUsageError() {
        assertThat(run("apps").exit()).isEqualTo(2);
        assertThat(run().exit()).isEqualTo(2);
    }

    @Test
    void versionAndHelpSucceed() {
        assertThat(run("--version").out()).startsWith("outpost ");
        Result help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("deploy").contains("launch").contains("status").contains("releases");
    }

    private Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }
}
