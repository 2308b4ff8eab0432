package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path root;
    private Path dir;
    private FakeOutpostApi fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        dir = Files.createDirectories(root.resolve("My_Site"));
        Files.writeString(dir.resolve("index.html"), "<h1>hi</h1>");
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void writesTomlCreatesTheAppAndDeploys() throws Exception {
        Result r = run("launch", "--dir", dir.toString(), "--region", "ams,syd", "--cmd", "python3 -m http.server $PORT");

        assertThat(r.exit()).as(r.toString()).isZero();
        AppConfig config = ConfigParser.parse(dir.resolve("outpost.toml"));
        assertThat(config.app()).isEqualTo("my-site");
        assertThat(config.primaryRegion()).isEqualTo("ams");
        assertThat(config.scale().regions()).isEqualTo(Map.of("ams", 1, "syd", 1));
        assertThat(fake.app("my-site").primaryRegion()).isEqualTo("ams");
        assertThat(fake.app("my-site").scale()).isEqualTo(Map.of("ams", 1, "syd", 1));
        assertThat(fake.releases("my-site")).hasSize(1);
        assertThat(r.out()).contains("wrote").contains("is active");
    }

    @Test
    void defaultsToTheServersFirstRegionAndTheGivenName() throws Exception {
        fake.regions(java.util.List.of("syd", "iad"));

        Result r = run("launch", "--dir", dir.toString(), "--name", "shop");

        assertThat(r.exit()).as(r.toString()).isZero();
        AppConfig config = ConfigParser.parse(dir.resolve("outpost.toml"));
        assertThat(config.app()).isEqualTo("shop");
        assertThat(config.primaryRegion()).isEqualTo("syd");
    }

    @Test
    void usesAnExistingTomlAndAcceptsThatItsAppExists() throws Exception {
        String toml = "app = \"kept\"\nprimary_region = \"iad\"\n";
        Files.writeString(dir.resolve("outpost.toml"), toml);
        fake.addApp("kept", "iad", Map.of("iad", 1));

        Result r = run("launch", "--dir", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("using the existing").contains("already exists");
        assertThat(Files.readString(dir.resolve("outpost.toml"))).isEqualTo(toml);
        assertThat(fake.releases("kept")).hasSize(1);
    }

    @Test
    void regionsGivenWithAnExistingTomlScaleTheAppIntoThem() throws Exception {
        String toml = "app = \"hello\"\n[build]\ncmd = \"run\"\n[scale]\nregions = { ams = 2 }\n";
        Files.writeString(dir.resolve("outpost.toml"), toml);

        Result r = run("launch", "--dir", dir.toString(), "--region", "iad,ams");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(fake.app("hello").scale()).isEqualTo(Map.of("iad", 1, "ams", 2));
        assertThat(fake.app("hello").primaryRegion()).isEqualTo("iad");
        assertThat(r.out()).contains("scaled hello to iad=1, ams=2");
        assertThat(Files.readString(dir.resolve("outpost.toml"))).isEqualTo(toml);
    }

    @Test
    void aNameTakenByAnotherAppFailsWithoutWritingToml() {
        fake.addApp("my-site", "iad", Map.of());

        Result r = run("launch", "--dir", dir.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("app my-site already exists");
        assertThat(dir.resolve("outpost.toml")).doesNotExist();
    }

    @Test
    void unknownRegionFailsBeforeCreatingAnything() {
        Result r = run("launch", "--dir", dir.toString(), "--region", "xyz");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("region xyz is not served");
        assertThat(fake.requests("POST", "/v1/apps")).isEmpty();
    }

    @Test
    void invalidNameIsUsageError() {
        assertThat(run("launch", "--dir", dir.toString(), "--name", "Bad_Name").exit()).isEqualTo(2);
        assertThat(fake.requests()).isEmpty();
    }

    private Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }
}
