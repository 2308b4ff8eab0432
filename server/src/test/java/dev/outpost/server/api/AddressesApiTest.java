package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeRegistration;
import dev.outpost.core.api.RoutingTable;
import dev.outpost.core.config.AppConfig;
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
 * Dedicated addresses over real HTTP: a release with a raw TCP port gets the app an offset, the routing
 * table carries it with the ports and h2_backend, and {@code /v1/apps/{app}/ips} shows the address each live
 * edge serves it on (its reported block + the offset), and the app's regions no edge serves.
 */
class AddressesApiTest {
    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static AppConfig config(String app, List<AppConfig.Port> ports, boolean h2Backend) {
        AppConfig.Service service = new AppConfig.Service(8080, "tcp", ports, null, List.of(), List.of(), h2Backend, null);
        return new AppConfig(app, "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(), List.of(service), null,
                new AppConfig.Deploy("rolling", 0.33, Duration.ofMinutes(10)), null, null);
    }

    void serve(String app, AppConfig config) {
        serve(app, "iad", config);
    }

    void serve(String app, String primaryRegion, AppConfig config) {
        Instant now = Instant.now();
        f.store.createApp(app, primaryRegion, now);
        AddressesApi.allocateFor(f.store, app, config, now);
        f.store.createRelease(app, "sha256:" + "a".repeat(64), config, now, now.plusSeconds(600));
        f.store.scheduling().activate(app, 1, "v1 is serving", List.of());
    }

    @Test
    void anAppWithATcpPortGetsADedicatedAddressInTheRoutingTableAndIps() throws Exception {
        serve("web", config("web", List.of(new AppConfig.Port(80, List.of("http"))), true));
        serve("db", config("db", List.of(new AppConfig.Port(5432, List.of("proxy_proto"), 2, Duration.ofMinutes(30)),
                new AppConfig.Port(6432, List.of("tls"))), false));

        JsonNode table = ApiTest.json(f.call("GET", "/v1/routes", null));
        JsonNode db = null;
        JsonNode web = null;
        for (JsonNode app : table.path("apps")) {
            if (app.path("app").asText().equals("db")) {
                db = app;
            } else if (app.path("app").asText().equals("web")) {
                web = app;
            }
        }
        assertThat(web).isNotNull();
        assertThat(web.path("addressOffset").asInt()).as("an HTTP-only app needs no address").isZero();
        assertThat(web.path("h2Backend").asBoolean()).isTrue();
        assertThat(db).isNotNull();
        assertThat(db.path("addressOffset").asInt()).isEqualTo(1);
        assertThat(db.path("h2Backend").asBoolean()).isFalse();
        assertThat(db.path("ports").get(0).path("port").asInt()).isEqualTo(5432);
        assertThat(db.path("ports").get(0).path("handlers").get(0).asText()).isEqualTo("proxy_proto");
        assertThat(db.path("ports").get(0).path("proxyProtoVersion").asInt()).isEqualTo(2);
        RoutingTable routes = Json.mapper().treeToValue(table, RoutingTable.class);
        assertThat(routes.apps().stream().filter(a -> a.app().equals("db")).findFirst().orElseThrow().ports())
                .extracting(RoutingTable.PortRoute::idleTimeout).as("idle_timeout, and the default where none is set")
                .containsExactly(Duration.ofMinutes(30), Duration.ofHours(1));

        JsonNode none = ApiTest.json(f.call("GET", "/v1/apps/db/ips", null));
        assertThat(none.path("addresses")).as("no live edge serves dedicated addresses yet").isEmpty();
        assertThat(none.path("unservedRegions").get(0).asText()).isEqualTo("iad");

        // Edges report their blocks; the addresses are built from them, not from a layout the server assumes.
        f.call("PUT", "/v1/edges/ams-edge", new EdgeRegistration("ams", "127.2.0.1:9101", Map.of(), "10.20.2.0"));
        f.call("PUT", "/v1/edges/iad-edge", new EdgeRegistration("iad", "127.1.0.1:9101", Map.of(), "127.1.2.0"));
        f.call("PUT", "/v1/edges/syd-edge", new EdgeRegistration("syd", "127.3.0.1:9101", Map.of()));
        JsonNode ips = ApiTest.json(f.call("GET", "/v1/apps/db/ips", null));
        assertThat(ips.path("offset").asInt()).isEqualTo(1);
        assertThat(ips.path("addresses")).hasSize(4);
        assertThat(ips.path("addresses").get(0).path("region").asText()).isEqualTo("iad");
        assertThat(ips.path("addresses").get(0).path("address").asText()).isEqualTo("127.1.2.1");
        assertThat(Json.mapper().treeToValue(ips, dev.outpost.core.api.AppAddresses.class).addresses())
                .extracting(dev.outpost.core.api.AppAddresses.Address::describe).as("iad's and ams's two ports each")
                .containsExactly("tcp (proxy_proto v2, idle 30m)", "tls (idle 1h)", "tcp (proxy_proto v2, idle 30m)", "tls (idle 1h)");
        assertThat(ips.path("addresses").get(2).path("region").asText()).as("ams is the second region").isEqualTo("ams");
        assertThat(ips.path("addresses").get(2).path("address").asText()).isEqualTo("10.20.2.1");
        assertThat(ips.path("unservedRegions")).isEmpty();
        assertThat(ApiTest.json(f.call("GET", "/v1/apps/web/ips", null)).path("addresses")).isEmpty();

        // An app whose region's only edge serves no dedicated addresses: that region is unserved.
        serve("cache", "syd", config("cache", List.of(new AppConfig.Port(6379, List.of())), false));
        JsonNode cache = ApiTest.json(f.call("GET", "/v1/apps/cache/ips", null));
        assertThat(cache.path("unservedRegions")).hasSize(1);
        assertThat(cache.path("unservedRegions").get(0).asText()).isEqualTo("syd");
        assertThat(cache.path("addresses")).hasSize(2);
    }

    @Test
    void theRoutingTableCarriesEachAppsResponseTimeoutTheLongestOfItsServicesOrNoneWhenNoneIsSet() throws Exception {
        AppConfig.Service fast = new AppConfig.Service(8080, "tcp", List.of(new AppConfig.Port(80, List.of("http"))), null,
                List.of(), List.of(), false, Duration.ofSeconds(20));
        AppConfig.Service slow = new AppConfig.Service(8080, "tcp", List.of(new AppConfig.Port(8443, List.of("tls", "http"))), null,
                List.of(), List.of(), false, Duration.ofMinutes(5));
        AppConfig base = config("reports", List.of(), false);
        serve("reports", new AppConfig("reports", "iad", base.build(), Map.of(), List.of(fast, slow), null, base.deploy(), null, null));
        serve("web", config("web", List.of(new AppConfig.Port(80, List.of("http"))), false));

        RoutingTable routes = Json.mapper().treeToValue(ApiTest.json(f.call("GET", "/v1/routes", null)), RoutingTable.class);

        assertThat(routes.apps()).filteredOn(a -> a.app().equals("reports")).extracting(RoutingTable.AppRoute::responseTimeout)
                .containsExactly(Duration.ofMinutes(5));
        // Not set: the edge applies its default to HTTP requests and times no gRPC call.
        assertThat(routes.apps()).filteredOn(a -> a.app().equals("web")).extracting(RoutingTable.AppRoute::responseTimeout)
                .containsNull();
    }

    @Test
    void anEdgeReportingAMalformedBlockIs400AndNothingIsStored() throws Exception {
        HttpResponse<String> r = f.call("PUT", "/v1/edges/iad-edge", new EdgeRegistration("iad", "127.1.0.1:9101", Map.of(), "127.1.2.7"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ApiTest.json(r).path("detail").asText()).contains("edge iad-edge").contains("127.1.2.7").contains("/24");
        assertThat(f.store.edges().list()).isEmpty();
    }

    HttpResponse<String> deploy(String app, List<AppConfig.Port> ports) throws Exception {
        AppConfig base = SecretsApiTest.CONFIG;
        AppConfig config = new AppConfig(app, "iad", base.build(), Map.of(),
                List.of(new AppConfig.Service(8080, "tcp", ports, null, List.of(), List.of())), null, null, null, null);
        String digest = ReportingAgent.upload(f, app, (app + "-bundle").getBytes());
        return f.call("POST", "/v1/apps/" + app + "/releases", new dev.outpost.core.api.CreateReleaseRequest(digest, config));
    }

    @Test
    void aDeployWithATcpPortAllocatesAndAnHttpOnlyDeployDoesNot() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new dev.outpost.core.api.CreateAppRequest("web", "iad")).statusCode()).isEqualTo(201);
        assertThat(f.call("POST", "/v1/apps", new dev.outpost.core.api.CreateAppRequest("db", "iad")).statusCode()).isEqualTo(201);

        HttpResponse<String> web = deploy("web", List.of(new AppConfig.Port(80, List.of("http"))));
        HttpResponse<String> db = deploy("db", List.of(new AppConfig.Port(5432, List.of("tls"))));

        assertThat(web.statusCode()).as(web.body()).isEqualTo(201);
        assertThat(db.statusCode()).as(db.body()).isEqualTo(201);
        assertThat(f.store.addresses().find("web")).isEmpty();
        assertThat(f.store.addresses().find("db")).hasValue(1);
    }

    @Test
    void aDeployNeedingAnAddressWhenNoneIsLeftIs409AndCreatesNoRelease() throws Exception {
        for (int i = 1; i <= dev.outpost.store.Addresses.LAST; i++) {
            f.store.addresses().allocate("other" + i, Instant.now());
        }
        assertThat(f.call("POST", "/v1/apps", new dev.outpost.core.api.CreateAppRequest("db", "iad")).statusCode()).isEqualTo(201);

        HttpResponse<String> r = deploy("db", List.of(new AppConfig.Port(5432, List.of())));

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(ApiTest.json(r).path("detail").asText()).contains("no dedicated address left for app db");
        assertThat(f.store.listReleases("db")).isEmpty();
    }

    @Test
    void destroyingTheAppFreesItsAddress() throws Exception {
        serve("db", config("db", List.of(new AppConfig.Port(5432, List.of())), false));
        assertThat(f.store.addresses().find("db")).hasValue(1);

        assertThat(f.call("DELETE", "/v1/apps/db", null).statusCode()).isEqualTo(204);

        assertThat(f.store.addresses().find("db")).isEmpty();
        assertThat(f.call("GET", "/v1/apps/db/ips", null).statusCode()).isEqualTo(404);
    }
}
