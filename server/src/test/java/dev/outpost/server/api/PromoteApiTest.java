package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.Json;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.PromoteRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.Release;
import dev.outpost.server.ServerFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromoteApiTest {
    static final AppConfig STAGING = new AppConfig("hello-staging", "iad", new AppConfig.Build(null, null, List.of("sh", "-c", "serve --new")),
            Map.of("GREETING", "staging"), List.of(), new AppConfig.Scale(Map.of("iad", 1), false, false, 0), null, null, null);

    @TempDir
    Path dir;
    ServerFixture f;
    ReportingAgent agent;
    Release staged;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        agent = new ReportingAgent(f, "host-iad", "iad");
        for (String app : List.of("hello", "hello-staging")) {
            assertThat(f.call("POST", "/v1/apps", new CreateAppRequest(app, "iad")).statusCode()).isEqualTo(201);
        }
        String digest = ReportingAgent.upload(f, "hello-staging", "staged-bundle".getBytes());
        HttpResponse<String> r = f.call("POST", "/v1/apps/hello-staging/releases", new CreateReleaseRequest(digest, STAGING));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        agent.serve("hello-staging", 1);
        staged = agent.release("hello-staging", 1);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private HttpResponse<String> promote(String from, String to) throws Exception {
        return f.call("POST", "/v1/apps/" + to + "/promote", new PromoteRequest(from));
    }

    @Test
    void aFirstPromotionRunsStagingsArtifactAndConfigUnderTheProductionName() throws Exception {
        assertThat(f.call("PATCH", "/v1/apps/hello/secrets", new ChangeSecretsRequest(Map.of("API_KEY", "prod-key"), null)).statusCode())
                .isEqualTo(200);

        HttpResponse<String> r = promote("hello-staging", "hello");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Release made = Json.mapper().readValue(r.body(), Release.class);
        assertThat(made.app()).isEqualTo("hello");
        assertThat(made.artifactDigest()).isEqualTo(staged.artifactDigest());
        assertThat(made.config()).isEqualTo(STAGING.withApp("hello"));
        assertThat(f.store.findApp("hello").orElseThrow().scale()).isEqualTo(Map.of("iad", 1));
        assertThat(agent.running("hello", 1).env()).containsEntry("API_KEY", "prod-key").containsEntry("OUTPOST_APP", "hello");
        agent.serve("hello", 1);
        assertThat(agent.release("hello", 1).message()).isEqualTo("promote hello-staging v1; v1 is serving");
    }

    @Test
    void productionKeepsItsOwnConfigButRunsStagingsBuild() throws Exception {
        f.call("PUT", "/v1/apps/hello/scale", new ScaleRequest(Map.of("iad", 2)));
        AppConfig prod = new AppConfig("hello", "iad", new AppConfig.Build(null, null, List.of("sh", "-c", "serve --old")),
                Map.of("GREETING", "production"), List.of(), null, null, null, null);
        String old = ReportingAgent.upload(f, "hello", "old-bundle".getBytes());
        assertThat(f.call("POST", "/v1/apps/hello/releases", new CreateReleaseRequest(old, prod)).statusCode()).isEqualTo(201);
        agent.serve("hello", 1);

        HttpResponse<String> r = promote("hello-staging", "hello");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Release made = Json.mapper().readValue(r.body(), Release.class);
        assertThat(made.version()).isEqualTo(2);
        assertThat(made.artifactDigest()).isEqualTo(staged.artifactDigest());
        assertThat(made.config().env()).isEqualTo(Map.of("GREETING", "production"));
        assertThat(made.config().build().cmd()).containsExactly("sh", "-c", "serve --new");
        assertThat(f.store.findApp("hello").orElseThrow().scale()).isEqualTo(Map.of("iad", 2));
    }

    @Test
    void refusesWhatCannotBePromoted() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("empty-staging", "iad")).statusCode()).isEqualTo(201);

        HttpResponse<String> nothingServing = promote("empty-staging", "hello");
        HttpResponse<String> unknownSource = promote("nope-staging", "hello");
        HttpResponse<String> unknownTarget = promote("hello-staging", "nope");
        HttpResponse<String> itself = promote("hello", "hello");

        assertThat(nothingServing.statusCode()).isEqualTo(409);
        assertThat(ApiTest.json(nothingServing).get("detail").asText()).contains("empty-staging has no serving release")
                .contains("outpost deploy --env staging");
        assertThat(unknownSource.statusCode()).isEqualTo(404);
        assertThat(ApiTest.json(unknownSource).get("detail").asText()).contains("app nope-staging not found");
        assertThat(unknownTarget.statusCode()).isEqualTo(404);
        assertThat(itself.statusCode()).isEqualTo(400);
        assertThat(f.store.listReleases("hello")).isEmpty();
    }

    @Test
    void anImageIsLinkedIntoTheProductionRepositoryByDigest() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("img-staging", "iad")).statusCode()).isEqualTo(201);
        String config = ReportingAgent.upload(f, "img-staging", "{}".getBytes());
        String layer = ReportingAgent.upload(f, "img-staging", "layer bytes".getBytes());
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + config + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layer + "\",\"size\":11}]}")
                .getBytes();
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest));
        HttpResponse<String> put = f.http.send(HttpRequest.newBuilder(URI.create(f.server.url() + "/v2/img-staging/manifests/1"))
                .header("Authorization", "Bearer " + f.token).header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        AppConfig image = new AppConfig("img-staging", "iad", new AppConfig.Build(null, "img:1", List.of()), Map.of(), List.of(),
                null, null, null, null);
        f.store.createRelease("img-staging", digest, image, Instant.now(), Instant.now().plusSeconds(60));
        f.store.setCurrentRelease("img-staging", 1);
        assertThat(f.call("HEAD", "/v2/hello/manifests/" + digest, null).statusCode()).isEqualTo(404);

        HttpResponse<String> r = promote("img-staging", "hello");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(Json.mapper().readValue(r.body(), Release.class).artifactDigest()).isEqualTo(digest);
        assertThat(f.call("HEAD", "/v2/hello/manifests/" + digest, null).statusCode()).isEqualTo(200);
    }

    @Test
    void anImageWhoseManifestIsGoneIsRefusedNamingIt() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("img-staging", "iad")).statusCode()).isEqualTo(201);
        AppConfig image = new AppConfig("img-staging", "iad", new AppConfig.Build(null, "img:1", List.of()), Map.of(), List.of(),
                null, null, null, null);
        f.store.createRelease("img-staging", "sha256:" + "b".repeat(64), image, Instant.now(), Instant.now().plusSeconds(60));
        f.store.setCurrentRelease("img-staging", 1);

        HttpResponse<String> r = promote("img-staging", "hello");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(r.body()).contains("manifest sha256:" + "b".repeat(64) + " is not in repository img-staging");
        assertThat(f.store.listReleases("hello")).isEmpty();
    }
}
