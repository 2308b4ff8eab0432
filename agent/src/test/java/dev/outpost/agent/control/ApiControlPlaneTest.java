package dev.outpost.agent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.agent.testing.TestHttpServer;
import dev.outpost.core.Json;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.api.Problem;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.InstanceState;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiControlPlaneTest {
    private static final String TOKEN = "op_test";

    private final TestHttpServer server = new TestHttpServer();
    private final ApiControlPlane api = new ApiControlPlane(URI.create(server.url() + "/"), TOKEN);

    @AfterEach
    void close() {
        api.close();
        server.close();
    }

    private void answerJson(int status, Object body) {
        server.answer((ex, req) -> {
            byte[] bytes = Json.mapper().writeValueAsBytes(body);
            ex.getResponseHeaders().add("Content-Type", status >= 400 ? Problem.MEDIA_TYPE : "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        });
    }

    @Test
    void registersTheHostWithPutAndBearerToken() throws Exception {
        answerJson(200, new Host("h1", "iad", "127.1.1.1", 2048, Instant.parse("2025-01-01T00:00:00Z")));

        Host host = api.register("h1", new RegisterHostRequest("iad", "127.1.1.1", 2048));

        assertThat(host.id()).isEqualTo("h1");
        TestHttpServer.Request req = server.requests().getFirst();
        assertThat(req.method()).isEqualTo("PUT");
        assertThat(req.path()).isEqualTo("/v1/hosts/h1");
        assertThat(req.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(Json.mapper().readValue(req.body(), RegisterHostRequest.class))
                .isEqualTo(new RegisterHostRequest("iad", "127.1.1.1", 2048));
    }

    @Test
    void watchesAssignmentsWithIndexAndWait() throws Exception {
        AppConfig config = new AppConfig("hello", "iad", new AppConfig.Build(null, null, List.of("sh", "-c", "true")),
                Map.of(), List.of(), null, null, null, null);
        Assignment a = new Assignment("i1", "hello", 3, "iad", "sha256:" + "a".repeat(64), config,
                Map.of("OUTPOST_APP", "hello"), DesiredState.RUNNING);
        answerJson(200, new Assignments(42, List.of(a)));

        Assignments got = api.assignments("h1", 41, Duration.ofSeconds(30));

        assertThat(got.index()).isEqualTo(42);
        assertThat(got.assignments()).containsExactly(a);
        TestHttpServer.Request req = server.requests().getFirst();
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.path()).isEqualTo("/v1/hosts/h1/assignments");
        assertThat(req.query()).isEqualTo("index=41&wait=30s");
    }

    @Test
    void reportsAnInstance() throws Exception {
        server.status(204);
        InstanceReport report = new InstanceReport(InstanceState.FAILED, Health.UNKNOWN, null, null, 3,
                "exited with code 3", 2, List.of("boom"));

        api.report("i1", report);

        TestHttpServer.Request req = server.requests().getFirst();
        assertThat(req.method()).isEqualTo("PUT");
        assertThat(req.path()).isEqualTo("/v1/instances/i1/report");
        assertThat(Json.mapper().readValue(req.body(), InstanceReport.class)).isEqualTo(report);
        assertThat(req.body()).contains("\"state\":\"failed\"");
    }

    @Test
    void opensABlobByDigest() throws Exception {
        String digest = "sha256:" + "b".repeat(64);
        server.answer((ex, req) -> {
            byte[] bytes = "tar bytes".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Docker-Content-Digest", digest);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
        });

        try (InputStream in = api.openBlob("hello", digest)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("tar bytes");
        }
        assertThat(server.requests().getFirst().path()).isEqualTo("/v2/hello/blobs/" + digest);
        assertThat(server.requests().getFirst().authorization()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void failsWithTheCallStatusAndProblemDetail() {
        answerJson(401, new Problem("about:blank", "Unauthorized", 401, "the token is unknown or revoked"));

        assertThatThrownBy(() -> api.report("i1", new InstanceReport(InstanceState.STARTING, Health.UNKNOWN, null, null,
                null, null, 0, List.of())))
                .isInstanceOf(ControlPlaneException.class)
                .hasMessage("PUT /v1/instances/i1/report failed: 401 the token is unknown or revoked")
                .satisfies(e -> assertThat(((ControlPlaneException) e).status()).isEqualTo(401));
    }

    @Test
    void failsOnAMissingBlobNamingIt() {
        answerJson(404, new Problem("about:blank", "Not Found", 404, "no blob sha256:cc in hello"));

        assertThatThrownBy(() -> api.openBlob("hello", "sha256:cc"))
                .isInstanceOf(ControlPlaneException.class)
                .hasMessage("GET /v2/hello/blobs/sha256:cc failed: 404 no blob sha256:cc in hello");
    }

    @Test
    void failsWithStatusZeroWhenTheServerIsUnreachable() {
        server.close();

        assertThatThrownBy(() -> api.register("h1", new RegisterHostRequest("iad", "127.0.0.1", 1)))
                .isInstanceOf(ControlPlaneException.class)
                .hasMessageStartingWith("PUT /v1/hosts/h1 failed: ")
                .satisfies(e -> assertThat(((ControlPlaneException) e).status()).isZero());
    }
}
