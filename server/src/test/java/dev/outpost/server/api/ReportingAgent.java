package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.Json;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.ServerFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Plays an agent over the real API: registers a host, reads its assignments and reports instances
 * started and passing (or destroyed when asked), so releases go {@code active} without processes.
 * Also uploads bundles and makes first releases, the way {@code outpost deploy} does.
 */
final class ReportingAgent {
    private final ServerFixture f;
    private final String hostId;

    ReportingAgent(ServerFixture f, String hostId, String region) throws Exception {
        this.f = f;
        this.hostId = hostId;
        assertThat(f.call("PUT", "/v1/hosts/" + hostId, new RegisterHostRequest(region, "127.0.0.1", 4096)).statusCode()).isEqualTo(200);
    }

    List<Assignment> assignments() throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/hosts/" + hostId + "/assignments", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readValue(r.body(), Assignments.class).assignments();
    }

    /** The assignment of a running instance of {@code app} v{@code version}, once the scheduler placed one. */
    Assignment running(String app, int version) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> assignments().stream()
                .filter(a -> a.app().equals(app) && a.release() == version && a.desired() == DesiredState.RUNNING)
                .findFirst().orElse(null), a -> a != null);
    }

    /** Reports every instance of {@code app} v{@code version} healthy (and replaced ones destroyed) until it is active. */
    void serve(String app, int version) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            for (Assignment a : assignments()) {
                if (!a.app().equals(app)) {
                    continue;
                }
                InstanceReport report = a.desired() == DesiredState.DESTROYED
                        ? new InstanceReport(InstanceState.DESTROYED, Health.UNKNOWN, null, null, null, null, 0, List.of())
                        : a.release() == version
                        ? new InstanceReport(InstanceState.STARTED, Health.PASSING, "127.0.0.1", 20000, null, null, 0, List.of())
                        : null;
                if (report != null) {
                    f.call("PUT", "/v1/instances/" + a.instanceId() + "/report", report);
                }
            }
            return release(app, version).status() == ReleaseStatus.ACTIVE;
        });
    }

    Release release(String app, int version) throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps/" + app + "/releases/" + version, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readValue(r.body(), Release.class);
    }

    /** Uploads {@code bytes} as a bundle of {@code app}; returns its digest. */
    static String upload(ServerFixture f, String app, byte[] bytes) throws Exception {
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        HttpResponse<String> r = f.http.send(HttpRequest.newBuilder(URI.create(f.server.url() + "/v2/" + app + "/blobs/uploads/?digest=" + digest))
                .header("Authorization", "Bearer " + f.token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return digest;
    }
}
