package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.api.AutostartRequest;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
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

/**
 * Autostart on the server, over real HTTP: the routing table lists an autostart app's stopped instances (never
 * a suspended app's), and {@code POST /v1/apps/{app}/autostart} starts one once, records who asked, and refuses
 * what an edge may not start. No host is registered, so the test owns every instance.
 */
class AutostartApiTest {
    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        Instant now = Instant.now();
        f.store.createApp("web", "iad", now);
        f.store.setScale("web", Map.of("iad", 1, "ams", 1));
        f.store.createRelease("web", "sha256:" + "a".repeat(64), config(true), now, now.plusSeconds(600));
        f.store.scheduling().activate("web", 1, "v1 is serving", List.of());
        place("web", "s-iad", "iad");
        f.store.scheduling().changeDesired("s-iad", DesiredState.STOPPED);
        f.store.applyReport("s-iad", new InstanceReport(InstanceState.STOPPED, Health.UNKNOWN, null, null, null, null, 0, List.of()),
                Instant.now());
        place("web", "r-ams", "ams");
        f.store.applyReport("r-ams", new InstanceReport(InstanceState.STARTED, Health.PASSING, "127.1.1.1", 9001, null, null, 0,
                List.of()), Instant.now());
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static AppConfig config(boolean autostart) {
        return new AppConfig("web", "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(), List.of(),
                new AppConfig.Scale(Map.of("iad", 1), false, autostart, 0), new AppConfig.Deploy("rolling", 0.33, Duration.ofMinutes(10)),
                null, null);
    }

    void place(String app, String id, String region) {
        Instant now = Instant.now();
        f.store.insertInstance(new Instance(id, app, 1, region, region + "-1", null, null, InstanceState.CREATED, DesiredState.RUNNING,
                Health.UNKNOWN, null, null, 0, List.of(), now, now));
    }

    JsonNode route() throws Exception {
        return ApiTest.json(f.call("GET", "/v1/routes", null)).path("apps").get(0);
    }

    HttpResponse<String> autostart(String app, String instance) throws Exception {
        return f.call("POST", "/v1/apps/" + app + "/autostart", new AutostartRequest(instance, "syd-edge", "syd"));
    }

    @Test
    void theTableListsTheStoppedInstancesAndOneStartIsRecordedOnceWhoeverAsks() throws Exception {
        JsonNode route = route();
        assertThat(route.path("autostart").asBoolean()).isTrue();
        assertThat(route.path("stopped")).hasSize(1);
        assertThat(route.path("stopped").get(0).path("instanceId").asText()).isEqualTo("s-iad");
        assertThat(route.path("stopped").get(0).path("region").asText()).isEqualTo("iad");
        assertThat(route.path("targets").get(0).path("instanceId").asText()).isEqualTo("r-ams");

        HttpResponse<String> first = autostart("web", "s-iad");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode action = ApiTest.json(first);
        assertThat(action.path("changed").asBoolean()).isTrue();
        assertThat(action.path("message").asText()).isEqualTo("autostart: instance s-iad in iad started by a request at edge syd-edge (syd)");
        assertThat(f.store.findInstance("s-iad").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);

        // Starting (wanted running, stopped still): still listed, so other edges hold their requests and ask too.
        assertThat(route().path("stopped").get(0).path("instanceId").asText()).isEqualTo("s-iad");
        HttpResponse<String> second = autostart("web", "s-iad");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(ApiTest.json(second).path("changed").asBoolean()).isFalse();

        assertThat(f.store.events().latest("web", 10)).filteredOn(e -> e.kind().equals("instance.autostart")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("s-iad in iad").contains("edge syd-edge"));
    }

    @Test
    void aSuspendedAppListsNothingToStartAndItsStartsAreRefused() throws Exception {
        // A budget of $0: spent as soon as it is set, so the server's budget keeper keeps the app suspended too.
        f.store.budgets().set("web", 0);
        f.store.budgets().suspend("web", "monthly budget of $0.00 reached for web", Instant.now().plusSeconds(3600));

        JsonNode route = route();
        assertThat(route.path("suspended").asText()).contains("monthly budget");
        assertThat(route.path("autostart").asBoolean()).isFalse();
        assertThat(route.path("stopped")).isEmpty();

        HttpResponse<String> refused = autostart("web", "s-iad");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("app web is suspended").contains("monthly budget");
    }

    @Test
    void badStartsAreRefusedWithTheReasonAndChangeNothing() throws Exception {
        assertThat(autostart("nope", "s-iad").statusCode()).isEqualTo(404);
        HttpResponse<String> unknown = autostart("web", "s-zzz");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("instance s-zzz of app web not found");
        HttpResponse<String> missing = f.call("POST", "/v1/apps/web/autostart", Map.of("edge", "syd-edge"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("field instance is missing");

        f.store.createRelease("web", "sha256:" + "b".repeat(64), config(false), Instant.now(), Instant.now().plusSeconds(600));
        f.store.scheduling().activate("web", 2, "v2 is serving", List.of());
        assertThat(route().path("autostart").asBoolean()).isFalse();
        assertThat(route().path("stopped")).isEmpty();
        HttpResponse<String> off = autostart("web", "s-iad");
        assertThat(off.statusCode()).isEqualTo(409);
        assertThat(off.body()).contains("does not start instances on demand").contains("[scale] autostart = true");
        assertThat(f.store.findInstance("s-iad").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
    }
}
