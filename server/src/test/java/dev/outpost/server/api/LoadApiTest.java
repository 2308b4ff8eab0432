package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.Json;
import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.AppLoadStatus;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.LoadReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.Autoscale;
import dev.outpost.core.config.ConfigParser;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.server.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * Load reports over real HTTP drive the server's autoscaler: demand reported at the syd edge (served
 * from iad) raises syd's desired count within seconds and the scheduler assigns the instances to the
 * syd host; the load view shows ranges, counts and the demand.
 */
class LoadApiTest {
    @TempDir
    Path dir;
    ServerFixture f;
    ReportingAgent iad;
    ReportingAgent syd;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        iad = new ReportingAgent(f, "iad-1", "iad");
        syd = new ReportingAgent(f, "syd-1", "syd");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    void deploy(String toml) throws Exception {
        AppConfig config = ConfigParser.parse("outpost.toml", toml);
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", "iad")).statusCode()).isEqualTo(201);
        String digest = ReportingAgent.upload(f, "web", "bundle".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = f.call("POST", "/v1/apps/web/releases", new CreateReleaseRequest(digest, config));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        iad.serve("web", 1);
    }

    static final String TOML = """
            app = "web"
            [build]
            cmd = "run"
            [[services]]
            internal_port = 8080
              [services.concurrency]
              soft_limit = 40
              hard_limit = 50
            [scale]
            regions = { iad = { min = 1, max = 3 }, syd = { min = 0, max = 3 } }
            """;

    LoadReport report(String region, double rps, double remote) {
        return new LoadReport(region, region + "-edge", Instant.now(),
                List.of(new AppLoad("web", (long) rps, rps, 3, remote, 0, List.of())));
    }

    App app() throws Exception {
        return Json.mapper().readValue(f.call("GET", "/v1/apps/web", null).body(), App.class);
    }

    @Test
    void demandReportedAtAnEdgeScalesItsRegionAndTheSchedulerPlacesThere() throws Exception {
        deploy(TOML);
        assertThat(app().scale()).isEqualTo(Map.of("iad", 1, "syd", 0));
        // 56 req/s arrive at syd's edge, all served from iad today: 2 instances at 28 each.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(f.call("POST", "/v1/load", report("syd", 56, 56)).statusCode()).isEqualTo(204);
            assertThat(f.call("POST", "/v1/load", report("iad", 5, 0)).statusCode()).isEqualTo(204);
            assertThat(app().scale()).isEqualTo(Map.of("iad", 1, "syd", 2));
        });
        List<Assignment> placed = await().atMost(Duration.ofSeconds(10)).until(
                () -> syd.assignments().stream().filter(a -> a.app().equals("web") && a.desired() == DesiredState.RUNNING).toList(),
                l -> l.size() == 2);
        assertThat(placed).allSatisfy(a -> assertThat(a.region()).isEqualTo("syd"));

        AppLoadStatus load = Json.mapper().readValue(f.call("GET", "/v1/apps/web/load", null).body(), AppLoadStatus.class);
        assertThat(load.autoscaled()).isTrue();
        assertThat(load.regions()).extracting(AppLoadStatus.RegionLoad::region).containsExactly("iad", "syd");
        AppLoadStatus.RegionLoad sydLoad = load.regions().get(1);
        assertThat(sydLoad.min()).isZero();
        assertThat(sydLoad.max()).isEqualTo(3);
        assertThat(sydLoad.desired()).isEqualTo(2);
        assertThat(sydLoad.requestsPerSecond()).isEqualTo(56);
        assertThat(sydLoad.remotePerSecond()).isEqualTo(56);
        assertThat(sydLoad.reportedAt()).isNotNull();
        assertThat(load.regions().get(0).running()).isEqualTo(1);
    }

    @Test
    void plainCountsAreNotAutoscaled() throws Exception {
        deploy(TOML.replace("regions = { iad = { min = 1, max = 3 }, syd = { min = 0, max = 3 } }", "regions = { iad = 1 }"));
        for (int i = 0; i < 3; i++) {
            assertThat(f.call("POST", "/v1/load", report("iad", 500, 0)).statusCode()).isEqualTo(204);
        }
        assertThat(f.server.autoscaler().scaleOnce()).isEmpty();
        assertThat(app().scale()).isEqualTo(Map.of("iad", 1));
        AppLoadStatus load = Json.mapper().readValue(f.call("GET", "/v1/apps/web/load", null).body(), AppLoadStatus.class);
        assertThat(load.autoscaled()).isFalse();
        assertThat(load.regions().get(0).requestsPerSecond()).isEqualTo(500);
    }

    @Test
    void badReportsAreRefusedWithWhatWasWrong() throws Exception {
        HttpResponse<String> unknown = f.call("POST", "/v1/load", report("nrt", 1, 0));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("region nrt not found");
        HttpResponse<String> negative = f.call("POST", "/v1/load", report("iad", -3, 0));
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("apps[0] (web)").contains("0 or more");
        HttpResponse<String> anonymous = f.call("POST", "/v1/load", new LoadReport(null, "e", null, List.of()));
        assertThat(anonymous.statusCode()).isEqualTo(400);
        assertThat(f.call("POST", "/v1/load", report("iad", 1, 0), null).statusCode()).isEqualTo(401);
    }

    @Test
    void aDeployNamingAnUnknownRegionIsRefused() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", "iad")).statusCode()).isEqualTo(201);
        String digest = ReportingAgent.upload(f, "web", "bundle".getBytes(StandardCharsets.UTF_8));
        AppConfig config = ConfigParser.parse("outpost.toml", TOML.replace("syd = {", "nrt = {"));
        HttpResponse<String> r = f.call("POST", "/v1/apps/web/releases", new CreateReleaseRequest(digest, config));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("region nrt not found");
        assertThat(f.call("GET", "/v1/apps/web/releases", null).body()).isEqualTo("[]");
        // The parser has the same limit; a client that skips it still meets the API's.
        assertThatThrownBy(() -> ConfigParser.parse("outpost.toml", TOML.replace("max = 3 } }", "max = 300 } }")))
                .hasMessageContaining("300 is out of range (0-100)");
        AppConfig.Scale bigScale = new AppConfig.Scale(Map.of("iad", 1, "syd", 0), false, false, 0, new Autoscale(Map.of(
                "iad", new Autoscale.Range(1, 3), "syd", new Autoscale.Range(0, 300)), null, 0.7, null));
        AppConfig parsed = ConfigParser.parse("outpost.toml", TOML);
        AppConfig tooMany = new AppConfig(parsed.app(), parsed.primaryRegion(), parsed.build(), parsed.env(), parsed.services(), bigScale,
                parsed.deploy(), parsed.vm(), parsed.budget());
        HttpResponse<String> big = f.call("POST", "/v1/apps/web/releases", new CreateReleaseRequest(digest, tooMany));
        assertThat(big.statusCode()).isEqualTo(400);
        assertThat(big.body()).contains("scale.regions max.syd = 300 is out of range (0-100)");
    }
}
