package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.Json;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.api.SecretInfo;
import dev.outpost.core.api.SecretsChange;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.Release;
import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerException;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.secrets.ReleaseSecrets;
import dev.outpost.store.Secrets;
import dev.outpost.store.Store;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsApiTest {
    static final AppConfig CONFIG = new AppConfig("hello", "iad", new AppConfig.Build(null, null, List.of("sh", "-c", "serve")),
            Map.of("GREETING", "hi", "API_KEY", "from-env"), List.of(), null, null, null, null);

    @TempDir
    Path dir;
    ServerFixture f;
    ReportingAgent agent;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        agent = new ReportingAgent(f, "host-iad", "iad");
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("hello", "iad")).statusCode()).isEqualTo(201);
        assertThat(f.call("PUT", "/v1/apps/hello/scale", new ScaleRequest(Map.of("iad", 1))).statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private Release deploy(String app, byte[] bundle, AppConfig config) throws Exception {
        String digest = ReportingAgent.upload(f, app, bundle);
        HttpResponse<String> r = f.call("POST", "/v1/apps/" + app + "/releases", new CreateReleaseRequest(digest, config));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.mapper().readValue(r.body(), Release.class);
    }

    private HttpResponse<String> change(Map<String, String> set, List<String> unset) throws Exception {
        return f.call("PATCH", "/v1/apps/hello/secrets", new ChangeSecretsRequest(set, unset));
    }

    private List<SecretInfo> list() throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps/hello/secrets", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readValue(r.body(), new TypeReference<List<SecretInfo>>() {});
    }

    @Test
    void settingASecretMakesAReleaseOfTheSameArtifactWhoseInstancesGetIt() throws Exception {
        Release v1 = deploy("hello", "bundle-1".getBytes(), CONFIG);
        agent.serve("hello", 1);

        HttpResponse<String> r = change(Map.of("API_KEY", "s3cr3t-value"), List.of());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("s3cr3t-value");
        SecretsChange answer = Json.mapper().readValue(r.body(), SecretsChange.class);
        assertThat(answer.release().version()).isEqualTo(2);
        assertThat(answer.release().artifactDigest()).isEqualTo(v1.artifactDigest());
        assertThat(answer.release().config()).isEqualTo(v1.config());
        Assignment v2 = agent.running("hello", 2);
        assertThat(v2.env()).containsEntry("API_KEY", "s3cr3t-value").containsEntry("GREETING", "hi")
                .containsEntry("OUTPOST_RELEASE", "2");
        // the old release keeps the secrets it was made with: none, so [env] shows through
        assertThat(agent.assignments()).filteredOn(a -> a.release() == 1)
                .allSatisfy(a -> assertThat(a.env()).containsEntry("API_KEY", "from-env"));
        agent.serve("hello", 2);
        assertThat(agent.release("hello", 2).message()).startsWith("secrets changed: set API_KEY");
    }

    @Test
    void listShowsNamesDigestsAndUpdateTimesButNeverValues() throws Exception {
        assertThat(change(Map.of("B_TOKEN", "value-of-b", "A_KEY", "value-of-a"), List.of()).statusCode()).isEqualTo(200);

        HttpResponse<String> raw = f.call("GET", "/v1/apps/hello/secrets", null);
        List<SecretInfo> secrets = list();

        assertThat(raw.body()).doesNotContain("value-of-a").doesNotContain("value-of-b");
        assertThat(secrets).extracting(SecretInfo::name).containsExactly("A_KEY", "B_TOKEN");
        assertThat(secrets.getFirst().digest()).isEqualTo(ReleaseSecrets.digest("value-of-a")).hasSize(16);
        assertThat(secrets.getFirst().updatedAt()).isNotNull();
        // at rest, only sealed values
        assertThat(f.store.secrets().current("hello").secrets()).extracting(Secrets.Sealed::sealed)
                .noneMatch(s -> s.contains("value-of"));
    }

    @Test
    void withoutAReleaseSecretsWaitForTheFirstDeploy() throws Exception {
        HttpResponse<String> r = change(Map.of("API_KEY", "early"), List.of());

        assertThat(Json.mapper().readValue(r.body(), SecretsChange.class).release()).isNull();
        deploy("hello", "bundle-1".getBytes(), CONFIG);
        assertThat(agent.running("hello", 1).env()).containsEntry("API_KEY", "early");
    }

    @Test
    void settingTheSameValueAgainChangesNothing() throws Exception {
        deploy("hello", "bundle-1".getBytes(), CONFIG);
        change(Map.of("API_KEY", "same"), List.of());
        int secretsVersion = f.store.secrets().current("hello").version();

        HttpResponse<String> again = change(Map.of("API_KEY", "same"), List.of());

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readValue(again.body(), SecretsChange.class).release()).isNull();
        assertThat(f.store.listReleases("hello")).hasSize(2);
        assertThat(f.store.secrets().current("hello").version()).isEqualTo(secretsVersion);
    }

    @Test
    void unsetRemovesItInANewReleaseAndAnUnknownNameIs404() throws Exception {
        deploy("hello", "bundle-1".getBytes(), CONFIG);
        change(Map.of("API_KEY", "v", "OTHER", "o"), List.of());

        HttpResponse<String> r = change(Map.of(), List.of("API_KEY"));
        HttpResponse<String> unknown = change(Map.of(), List.of("NOPE"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(list()).extracting(SecretInfo::name).containsExactly("OTHER");
        Assignment v3 = agent.running("hello", 3);
        assertThat(v3.env()).containsEntry("API_KEY", "from-env").containsEntry("OTHER", "o");
        assertThat(agent.release("hello", 3).message()).isEqualTo("secrets changed: unset API_KEY");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(ApiTest.json(unknown).get("detail").asText()).contains("secret NOPE of app hello is not set");
    }

    @Test
    void badNamesAndBodiesAreRefusedWithoutRepeatingValues() throws Exception {
        HttpResponse<String> reserved = change(Map.of("PORT", "9999-secret"), List.of());
        HttpResponse<String> invalid = change(Map.of("BAD-NAME", "x"), List.of());
        HttpResponse<String> empty = change(Map.of(), List.of());
        HttpResponse<String> malformed = f.call("PATCH", "/v1/apps/hello/secrets", "{\"set\": {\"K\": leaked-value}}");
        HttpResponse<String> unknownApp = f.call("PATCH", "/v1/apps/nope/secrets", new ChangeSecretsRequest(Map.of("K", "v"), null));

        assertThat(reserved.statusCode()).isEqualTo(400);
        assertThat(ApiTest.json(reserved).get("detail").asText()).contains("PORT is reserved").doesNotContain("9999-secret");
        assertThat(ApiTest.json(invalid).get("detail").asText()).contains("\"BAD-NAME\" is not an environment variable name");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("malformed JSON body at line 1").doesNotContain("leaked");
        assertThat(unknownApp.statusCode()).isEqualTo(404);
    }

    @Test
    void theServerRefusesToStartWithASecretsKeyOthersCanRead() throws Exception {
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.write(other.resolve("secrets.key"), new byte[32]);
        Files.setPosixFilePermissions(other.resolve("secrets.key"), PosixFilePermissions.fromString("rw-r--r--"));

        try (Store store = Store.open(other.resolve("outpost.db").toString())) {
            assertThatThrownBy(() -> new OutpostServer(new ServerConfig("127.0.0.1", 0, other, List.of("iad")), store, Clock.systemUTC()))
                    .isInstanceOf(ServerException.class)
                    .hasMessageContaining("secrets key " + other.resolve("secrets.key") + " has mode rw-r--r--")
                    .hasMessageContaining("chmod 600");
        }
    }
}
