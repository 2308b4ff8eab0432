package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeInstances;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost instances list|start|stop|restart|destroy} against the fake API. */
class InstancesCommandTest {
    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;
    private final FakeInstances instances = new FakeInstances();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        fake.add(instances);
        instances.put(instance("i-web-1", "web", "iad", DesiredState.RUNNING), instance("i-web-2", "web", "syd", DesiredState.STOPPED),
                instance("i-api-1", "api", "ams", DesiredState.RUNNING));
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    static Instance instance(String id, String app, String region, DesiredState desired) {
        boolean running = desired == DesiredState.RUNNING;
        return new Instance(id, app, 3, region, "host-" + region, running ? "127.0.1.1" : null, running ? 20001 : null,
                running ? InstanceState.STARTED : InstanceState.STOPPED, desired, running ? Health.PASSING : Health.UNKNOWN,
                null, null, 1, List.of(), Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void listShowsEveryAppsInstancesWithWhatTheyShouldBeAndAre() {
        Result r = run("instances", "list");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("ID").contains("DESIRED")
                .containsPattern("i-web-1\\s+web\\s+iad\\s+v3\\s+running\\s+started\\s+passing\\s+127\\.0\\.1\\.1:20001\\s+1")
                .containsPattern("i-web-2\\s+web\\s+syd\\s+v3\\s+stopped\\s+stopped\\s+unknown\\s+-\\s+1")
                .contains("i-api-1");
    }

    @Test
    void listWithAppOrInTheAppsDirectoryShowsOnlyThatApp() throws Exception {
        Result byFlag = run("instances", "list", "--app", "api", "--json");
        JsonNode list = Json.mapper().readTree(byFlag.out());
        assertThat(list).extracting(n -> n.path("id").asText()).containsExactly("i-api-1");

        Files.writeString(dir.resolve("outpost.toml"), "app = \"web\"\n");
        Result byToml = run("instances", "list", "--dir", dir.toString());
        assertThat(byToml.out()).contains("i-web-1").doesNotContain("i-api-1");
        assertThat(fake.requests("GET", "/v1/instances")).last().satisfies(s -> assertThat(s.query()).isEqualTo("app=web"));
    }

    @Test
    void stopStartAndRestartPrintWhatHappensNext() {
        Result stopped = run("instances", "stop", "i-web-1");
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(stopped.out()).contains("stopping instance i-web-1").contains("keeps its place");
        assertThat(instances.get("i-web-1").desired()).isEqualTo(DesiredState.STOPPED);

        Result started = run("instances", "start", "i-web-1");
        assertThat(started.out()).contains("starting instance i-web-1");
        assertThat(instances.get("i-web-1").desired()).isEqualTo(DesiredState.RUNNING);

        Result restarted = run("instances", "restart", "i-web-1");
        assertThat(restarted.exit()).isZero();
        assertThat(restarted.out()).contains("restarting instance i-web-1");
        assertThat(fake.requests("POST", "/v1/instances/i-web-1/restart")).hasSize(1);
    }

    @Test
    void destroyNeedsYesElseExit2AndSaysAFreshInstanceReplacesIt() {
        Result refused = run("instances", "destroy", "i-web-1");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("refusing to destroy instance i-web-1").contains("--yes");
        assertThat(instances.get("i-web-1").desired()).isEqualTo(DesiredState.RUNNING);

        Result destroyed = run("instances", "destroy", "i-web-1", "--yes");
        assertThat(destroyed.exit()).as(destroyed.toString()).isZero();
        assertThat(destroyed.out()).contains("destroying instance i-web-1").contains("a fresh instance will be placed");
        assertThat(instances.get("i-web-1").desired()).isEqualTo(DesiredState.DESTROYED);
    }

    @Test
    void unknownOrDestroyedInstancesFailWithTheServersSentence() {
        Result unknown = run("instances", "start", "nope");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("instance nope not found");

        run("instances", "destroy", "i-api-1", "--yes");
        Result destroyed = run("instances", "start", "i-api-1");
        assertThat(destroyed.exit()).isEqualTo(1);
        assertThat(destroyed.err()).contains("instance i-api-1 is being destroyed");
    }

    @Test
    void anActionWithoutAnIdIsWrongUsage() {
        assertThat(run("instances", "stop").exit()).isEqualTo(2);
        assertThat(run("instances").exit()).isEqualTo(2);
    }

    private Result run(String... args) {
        return CliRunner.run(CliRunner.environment(fake, home, dir), args);
    }
}
