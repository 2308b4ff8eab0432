package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.InstanceAction;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.server.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/instances} over real HTTP, with the server's own scheduler loop acting on what it changes. */
class InstancesApiTest {
    static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        Instant now = Instant.now();
        f.store.createApp("web", "iad", now);
        f.store.setScale("web", Map.of("iad", 2));
        f.store.createRelease("web", "sha256:" + "a".repeat(64), config(), now, now.plusSeconds(600));
        f.store.scheduling().activate("web", 1, "v1 is serving", List.of());
        running("a", 9001);
        running("b", 9002);
        // Only now a host: before, the scheduler had nowhere to place instances of its own.
        f.store.upsertHost(new Host("iad-1", "iad", "127.1.1.1", 4096, now));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static AppConfig config() {
        return new AppConfig("web", "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(), List.of(), null, null, null, null);
    }

    /** An instance of v1 in iad, started and passing its checks. */
    void running(String id, int port) {
        Instant now = Instant.now();
        f.store.insertInstance(new Instance(id, "web", 1, "iad", "iad-1", "127.1.1.1", port, InstanceState.STARTED,
                DesiredState.RUNNING, Health.PASSING, null, null, 0, List.of(), now, now));
    }

    void report(String id, InstanceState state, Health health, Integer port) {
        f.store.applyReport(id, new InstanceReport(state, health, port == null ? null : "127.1.1.1", port, null, null, 0, List.of()),
                Instant.now());
    }

    static InstanceAction action(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readValue(r.body(), InstanceAction.class);
    }

    DesiredState desired(String id) {
        return f.store.findInstance(id).orElseThrow().desired();
    }

    @Test
    void stopKeepsTheInstancesPlaceSoNothingReplacesIt() throws Exception {
        InstanceAction stopped = action(f.call("POST", "/v1/instances/a/stop", null));

        assertThat(stopped.changed()).isTrue();
        assertThat(stopped.instance().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(stopped.message()).contains("keeps its place").contains("outpost instances start a");
        report("a", InstanceState.STOPPED, Health.UNKNOWN, null);
        assertThat(f.server.reconciler().reconcileOnce().placements()).isEmpty();
        assertThat(f.store.listInstances("web")).extracting(Instance::id).containsExactly("a", "b");

        InstanceAction again = action(f.call("POST", "/v1/instances/a/stop", null));
        assertThat(again.changed()).isFalse();
        assertThat(again.message()).contains("already stopped");
    }

    @Test
    void startWantsAStoppedInstanceRunningAgain() throws Exception {
        action(f.call("POST", "/v1/instances/a/stop", null));

        InstanceAction started = action(f.call("POST", "/v1/instances/a/start", null));

        assertThat(started.changed()).isTrue();
        assertThat(desired("a")).isEqualTo(DesiredState.RUNNING);
        assertThat(action(f.call("POST", "/v1/instances/a/start", null)).changed()).isFalse();
    }

    @Test
    void restartStopsThenStartsOnceTheAgentReportsItStopped() throws Exception {
        InstanceAction restarting = action(f.call("POST", "/v1/instances/b/restart", null));

        assertThat(restarting.instance().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(restarting.message()).contains("restarting instance b");
        // the agent has not stopped it yet: it stays wanted stopped
        assertThat(f.server.reconciler().reconcileOnce().restarts()).isEmpty();
        assertThat(desired("b")).isEqualTo(DesiredState.STOPPED);

        report("b", InstanceState.STOPPED, Health.UNKNOWN, null);

        await().atMost(DEADLINE).until(() -> desired("b") == DesiredState.RUNNING);
        assertThat(f.store.scheduling().restartsRequested()).isEmpty();
    }

    @Test
    void destroyMakesTheSchedulerPlaceAFreshInstanceAndSaysSo() throws Exception {
        InstanceAction destroyed = action(f.call("DELETE", "/v1/instances/a", null));

        assertThat(destroyed.instance().desired()).isEqualTo(DesiredState.DESTROYED);
        assertThat(destroyed.message()).contains("iad wants 2 and keeps 1, so a fresh instance will be placed there");
        await().atMost(DEADLINE).until(() -> f.store.listInstances("web").stream()
                .filter(i -> i.desired() == DesiredState.RUNNING && !List.of("a", "b").contains(i.id())).count() == 1);
    }

    @Test
    void actionsOnADestroyedInstanceAre409AndOnAnUnknownOne404() throws Exception {
        f.server.reconciler().close(); // the row stays as destroyed, not replaced and purged meanwhile
        action(f.call("DELETE", "/v1/instances/a", null));

        for (String verb : List.of("start", "stop", "restart")) {
            HttpResponse<String> r = f.call("POST", "/v1/instances/a/" + verb, null);
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(ApiTest.json(r).get("detail").asText()).contains("instance a is being destroyed");
        }
        HttpResponse<String> twice = f.call("DELETE", "/v1/instances/a", null);
        assertThat(twice.statusCode()).isEqualTo(409);
        assertThat(ApiTest.json(twice).get("detail").asText()).contains("already being destroyed");

        HttpResponse<String> unknown = f.call("POST", "/v1/instances/nope/start", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(ApiTest.json(unknown).get("detail").asText()).contains("instance nope not found");
        assertThat(f.call("DELETE", "/v1/instances/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void destroyingInARegionAtItsCountSaysNothingReplacesIt() throws Exception {
        f.server.reconciler().close(); // else it would scale iad down itself before the call
        f.store.setScale("web", Map.of("iad", 1));
        InstanceAction destroyed = action(f.call("DELETE", "/v1/instances/a", null));
        assertThat(destroyed.message()).contains("iad wants 1 and keeps 1, so nothing replaces it");
    }

    @Test
    void listShowsLiveInstancesOfEveryAppOrOfOne() throws Exception {
        action(f.call("DELETE", "/v1/instances/a", null));

        JsonNode all = ApiTest.json(f.call("GET", "/v1/instances", null));
        assertThat(all).extracting(n -> n.path("id").asText()).contains("b").doesNotContain("a");
        JsonNode web = ApiTest.json(f.call("GET", "/v1/instances?app=web", null));
        assertThat(web).allSatisfy(n -> assertThat(n.path("app").asText()).isEqualTo("web"));
        HttpResponse<String> unknown = f.call("GET", "/v1/instances?app=nope", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(ApiTest.json(unknown).get("detail").asText()).contains("app nope not found");
    }

    @Test
    void instanceActionsNeedAToken() throws Exception {
        assertThat(f.call("POST", "/v1/instances/a/stop", null, null).statusCode()).isEqualTo(401);
        assertThat(desired("a")).isEqualTo(DesiredState.RUNNING);
    }
}
