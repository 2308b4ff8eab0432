package dev.outpost.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.model.App;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiClientTest {
    private FakeOutpostApi fake;
    private ApiClient client;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        client = new ApiClient(URI.create(fake.url()), FakeOutpostApi.TOKEN);
    }

    @AfterEach
    void stop() {
        client.close();
        fake.close();
    }

    @Test
    void sendsTheBearerTokenAndReadsRecords() throws Exception {
        fake.addApp("hello", "iad", Map.of("iad", 2));

        assertThat(client.apps()).extracting(App::name).containsExactly("hello");
        assertThat(client.app("hello").scale()).isEqualTo(Map.of("iad", 2));
        assertThat(fake.requests()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer test-token"));
    }

    @Test
    void problemJsonBecomesApiExceptionWithStatusAndDetail() {
        assertThatThrownBy(() -> client.app("nope"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.detail()).isEqualTo("app nope not found");
                    assertThat(e.getMessage()).isEqualTo("app nope not found (HTTP 404 from GET /v1/apps/nope)");
                    assertThat(e.transientFailure()).isFalse();
                });
    }

    @Test
    void conflictCarries409() throws Exception {
        client.createApp(new CreateAppRequest("hello", "iad"));
        assertThatThrownBy(() -> client.createApp(new CreateAppRequest("hello", "iad")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void wrongTokenIs401() {
        try (ApiClient wrong = new ApiClient(URI.create(fake.url()), "wrong")) {
            assertThatThrownBy(wrong::apps).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.detail()).isEqualTo("missing or wrong token");
            });
        }
    }

    @Test
    void refusedConnectionSaysWhereAndWhatToRun() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (ApiClient dead = new ApiClient(URI.create("http://127.0.0.1:" + port), "t")) {
            assertThatThrownBy(dead::apps).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(ApiException.UNREACHABLE);
                assertThat(e.transientFailure()).isTrue();
                assertThat(e.getMessage()).isEqualTo("cannot reach the Outpost API at http://127.0.0.1:" + port
                        + ": connection refused (is `outpost dev` running?)");
            });
        }
    }

    @Test
    void blobUploadSendsTheDigestAndHeadFindsIt(@TempDir Path dir) throws Exception {
        fake.addApp("hello", "iad", Map.of());
        byte[] bytes = "bundle bytes".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("b.tar"), bytes);
        String digest = FakeOutpostApi.sha256(bytes);

        assertThat(client.blobExists("hello", digest)).isFalse();
        assertThat(client.uploadBlob("hello", digest, file).size()).isEqualTo(bytes.length);
        assertThat(client.blobExists("hello", digest)).isTrue();
        assertThat(fake.blob(digest)).isEqualTo(bytes);
        assertThat(fake.requests("POST", "/v2/hello/blobs/uploads").getFirst().query()).isEqualTo("digest=sha256%3A" + digest.substring(7));
    }

    @Test
    void blockingStatusPassesIndexAndWait() throws Exception {
        fake.addApp("hello", "iad", Map.of());
        assertThat(client.status("hello", 7, Duration.ofMillis(1500)).app().name()).isEqualTo("hello");
        assertThat(fake.requests("GET", "/v1/apps/hello/status").getFirst().query()).isEqualTo("index=7&wait=1s500ms");
    }

    @Test
    void scaleReturnsTheUpdatedApp() throws Exception {
        fake.addApp("hello", "iad", Map.of("iad", 1));
        assertThat(client.scale("hello", new ScaleRequest(Map.of("ams", 2))).scale()).isEqualTo(Map.of("iad", 1, "ams", 2));
    }
}
