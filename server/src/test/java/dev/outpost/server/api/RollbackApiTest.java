package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.Json;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.RollbackRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackApiTest {
    @TempDir
    Path dir;
    ServerFixture f;
    ReportingAgent agent;
    final List<Release> deployed = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        agent = new ReportingAgent(f, "host-iad", "iad");
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("hello", "iad")).statusCode()).isEqualTo(201);
        assertThat(f.call("PUT", "/v1/apps/hello/scale", new ScaleRequest(Map.of("iad", 1))).statusCode()).isEqualTo(200);
        for (int v = 1; v <= 3; v++) {
            AppConfig config = SecretsApiTest.CONFIG.withApp("hello");
            config = new AppConfig("hello", "iad", config.build(), Map.of("GREETING", "hi from v" + v), List.of(), null, null, null, null);
            String digest = ReportingAgent.upload(f, "hello", ("bundle-" + v).getBytes());
            HttpResponse<String> r = f.call("POST", "/v1/apps/hello/releases", new CreateReleaseRequest(digest, config));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            agent.serve("hello", v);
            deployed.add(agent.release("hello", v));
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private HttpResponse<String> rollback(Integer version) throws Exception {
        return f.call("POST", "/v1/apps/hello/rollback", version == null ? null : new RollbackRequest(version));
    }

    @Test
    void withoutAVersionItGoesBackToThePreviousServingReleaseAsANewRelease() throws Exception {
        HttpResponse<String> r = rollback(null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Release v4 = Json.mapper().readValue(r.body(), Release.class);
        assertThat(v4.version()).isEqualTo(4);
        assertThat(v4.message()).isEqualTo("rollback to v2");
        assertThat(v4.artifactDigest()).isEqualTo(deployed.get(1).artifactDigest());
        assertThat(v4.config()).isEqualTo(deployed.get(1).config());
        assertThat(agent.running("hello", 4).env()).containsEntry("GREETING", "hi from v2");
        agent.serve("hello", 4);
        List<Release> releases = Json.mapper().readValue(f.call("GET", "/v1/apps/hello/releases", null).body(),
                new TypeReference<List<Release>>() {});
        assertThat(releases.getFirst().message()).isEqualTo("rollback to v2; v4 is serving");
        assertThat(releases.get(1).status()).isEqualTo(ReleaseStatus.SUPERSEDED);
    }

    @Test
    void anExplicitVersionIsDeployedWithTheCurrentSecrets() throws Exception {
        assertThat(f.call("PATCH", "/v1/apps/hello/secrets", new ChangeSecretsRequest(Map.of("API_KEY", "k1"), null)).statusCode())
                .isEqualTo(200);
        agent.serve("hello", 4);

        HttpResponse<String> r = rollback(1);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Release v5 = Json.mapper().readValue(r.body(), Release.class);
        assertThat(v5.artifactDigest()).isEqualTo(deployed.getFirst().artifactDigest());
        assertThat(agent.running("hello", 5).env()).containsEntry("GREETING", "hi from v1").containsEntry("API_KEY", "k1");
        assertThat(agent.release("hello", 5).message()).startsWith("rollback to v1");
    }

    @Test
    void theServingReleaseIs409AndAnUnknownOneIs404() throws Exception {
        HttpResponse<String> current = rollback(3);
        HttpResponse<String> unknown = rollback(99);

        assertThat(current.statusCode()).isEqualTo(409);
        assertThat(ApiTest.json(current).get("detail").asText()).isEqualTo("v3 is already serving");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(ApiTest.json(unknown).get("detail").asText()).contains("release v99 of app hello not found");
        assertThat(f.store.listReleases("hello")).hasSize(3);
    }

    @Test
    void withNothingOlderThatServedItIs409() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("solo", "iad")).statusCode()).isEqualTo(201);
        f.call("PUT", "/v1/apps/solo/scale", new ScaleRequest(Map.of("iad", 1)));
        String digest = ReportingAgent.upload(f, "solo", "solo".getBytes());
        f.call("POST", "/v1/apps/solo/releases", new CreateReleaseRequest(digest, SecretsApiTest.CONFIG.withApp("solo")));
        agent.serve("solo", 1);

        HttpResponse<String> r = f.call("POST", "/v1/apps/solo/rollback", null);

        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(ApiTest.json(r).get("detail").asText()).contains("no release of solo older than v1 has served");
    }
}
