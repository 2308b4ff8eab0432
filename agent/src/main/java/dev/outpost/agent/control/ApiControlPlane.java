package dev.outpost.agent.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.api.Problem;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.model.Host;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@link ControlPlane} over the server's HTTP API ({@code docs/architecture.md}): JSON with
 * {@link Json#mapper()}, {@code Authorization: Bearer <token>} on every call.
 */
public final class ApiControlPlane implements ControlPlane, AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    /** A blocking query may take its whole {@code wait}; allow this much on top before giving up. */
    private static final Duration WAIT_SLACK = Duration.ofSeconds(15);

    private final String base;
    private final String token;
    private final HttpClient client;
    private final ObjectMapper json = Json.mapper();

    /** {@code server} is the API root, e.g. {@code http://127.0.0.1:7280}; {@code token} an API token. */
    public ApiControlPlane(URI server, String token) {
        String s = server.toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        this.token = token;
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Host register(String hostId, RegisterHostRequest request) throws ControlPlaneException, InterruptedException {
        String path = "/v1/hosts/" + segment(hostId);
        HttpRequest req = request(path, CALL_TIMEOUT).PUT(body(request)).header("Content-Type", "application/json").build();
        return read("PUT " + path, send("PUT " + path, req), Host.class);
    }

    @Override
    public Assignments assignments(String hostId, long index, Duration wait) throws ControlPlaneException, InterruptedException {
        String path = "/v1/hosts/" + segment(hostId) + "/assignments?index=" + index + "&wait=" + Durations.format(wait);
        HttpRequest req = request(path, wait.plus(WAIT_SLACK)).GET().build();
        return read("GET " + path, send("GET " + path, req), Assignments.class);
    }

    @Override
    public void report(String instanceId, InstanceReport report) throws ControlPlaneException, InterruptedException {
        String path = "/v1/instances/" + segment(instanceId) + "/report";
        HttpRequest req = request(path, CALL_TIMEOUT).PUT(body(report)).header("Content-Type", "application/json").build();
        send("PUT " + path, req);
    }

    @Override
    public InputStream openBlob(String app, String digest) throws ControlPlaneException, InterruptedException {
        String path = "/v2/" + segment(app) + "/blobs/" + segment(digest);
        String call = "GET " + path;
        HttpRequest req = request(path, CALL_TIMEOUT).GET().build();
        HttpResponse<InputStream> res;
        try {
            res = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ControlPlaneException(call + " failed: " + e, 0, e);
        }
        if (res.statusCode() != 200) {
            String body;
            try (InputStream in = res.body()) {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            throw failure(call, res.statusCode(), body);
        }
        return res.body();
    }

    @Override
    public RegistryLogin registryLogin() {
        return RegistryLogin.of(URI.create(base), token);
    }

    @Override
    public void shipLogs(dev.outpost.core.api.LogBatch batch) throws ControlPlaneException, InterruptedException {
        String path = "/v1/logs";
        HttpRequest req = request(path, CALL_TIMEOUT).POST(body(batch)).header("Content-Type", "application/json").build();
        send("POST " + path, req);
    }

    @Override
    public void close() {
        client.close();
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private HttpRequest.BodyPublisher body(Object value) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private HttpResponse<String> send(String call, HttpRequest req) throws ControlPlaneException, InterruptedException {
        HttpResponse<String> res;
        try {
            res = client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ControlPlaneException(call + " failed: " + e, 0, e);
        }
        if (res.statusCode() / 100 != 2) {
            throw failure(call, res.statusCode(), res.body());
        }
        return res;
    }

    private <T> T read(String call, HttpResponse<String> res, Class<T> type) throws ControlPlaneException {
        try {
            return json.readValue(res.body(), type);
        } catch (JsonProcessingException e) {
            throw new ControlPlaneException(call + " answered " + res.statusCode() + " with a body that is not a "
                    + type.getSimpleName() + ": " + e.getOriginalMessage(), res.statusCode(), e);
        }
    }

    private ControlPlaneException failure(String call, int status, String body) {
        String detail = body == null ? "" : body.strip();
        try {
            Problem p = json.readValue(detail, Problem.class);
            if (p != null && p.detail() != null) {
                detail = p.detail();
            }
        } catch (JsonProcessingException notProblem) {
            // Not a problem document (e.g. a proxy's error page): keep the raw text, shortened.
            if (detail.length() > 200) {
                detail = detail.substring(0, 200) + "…";
            }
        }
        return new ControlPlaneException(call + " failed: " + status + (detail.isEmpty() ? "" : " " + detail), status, null);
    }

    /** Escapes a path segment; ':' stays as is because digests ({@code sha256:…}) carry it and it is legal there. */
    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%3A", ":");
    }
}
