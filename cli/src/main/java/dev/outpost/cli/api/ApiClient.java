package dev.outpost.cli.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.AppStatus;
import dev.outpost.core.api.BlobInfo;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.Problem;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of one Outpost server. Answers are the {@code core} records; a failed call throws an
 * {@link ApiException} whose message is ready to show the user. Close it to release its
 * connections.
 */
public final class ApiClient implements AutoCloseable {
    /** How long an ordinary call may take; blocking queries get their wait on top. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Blob uploads can be large and the registry hashes them as they arrive. */
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(ApiClient.class);

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final ObjectMapper json = Json.mapper();

    /** {@code base} is the server's root, e.g. {@code http://127.0.0.1:7280}. */
    public ApiClient(URI base, String token) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI base() {
        return base;
    }

    /** The API token, for clients that talk to the registry ({@code /v2}) themselves, as {@code docker push} does. */
    public String token() {
        return token;
    }

    public List<App> apps() throws ApiException {
        return get("/v1/apps", new TypeReference<List<App>>() {});
    }

    public App app(String name) throws ApiException {
        return get("/v1/apps/" + seg(name), new TypeReference<App>() {});
    }

    public App createApp(CreateAppRequest request) throws ApiException {
        return send("POST", "/v1/apps", request, new TypeReference<App>() {});
    }

    public void destroyApp(String name) throws ApiException {
        send("DELETE", "/v1/apps/" + seg(name), null, null);
    }

    /** The app's status now. */
    public AppStatus status(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/status", new TypeReference<AppStatus>() {});
    }

    /** Where the app's raw TCP, tls and proxy_proto ports are served: its dedicated address per region. */
    public dev.outpost.core.api.AppAddresses ips(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/ips", new TypeReference<dev.outpost.core.api.AppAddresses>() {});
    }

    /** The app's per-region ranges, counts and last reported demand ({@code GET /v1/apps/{app}/load}). */
    public dev.outpost.core.api.AppLoadStatus load(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/load", new TypeReference<dev.outpost.core.api.AppLoadStatus>() {});
    }

    /** A blocking query: answers once the state is newer than {@code index}, or after {@code wait}. */
    public AppStatus status(String app, long index, Duration wait) throws ApiException {
        String path = "/v1/apps/" + seg(app) + "/status?index=" + index + "&wait=" + Durations.format(wait);
        return call(request(path, CALL_TIMEOUT.plus(wait)).GET(), path, "GET", type(new TypeReference<AppStatus>() {}));
    }

    public List<Release> releases(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/releases", new TypeReference<List<Release>>() {});
    }

    public Release release(String app, int version) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/releases/" + version, new TypeReference<Release>() {});
    }

    public Release createRelease(String app, CreateReleaseRequest request) throws ApiException {
        return send("POST", "/v1/apps/" + seg(app) + "/releases", request, new TypeReference<Release>() {});
    }

    /** The app's secrets: names, value digests and update times (never values). */
    public List<dev.outpost.core.api.SecretInfo> secrets(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/secrets", new TypeReference<List<dev.outpost.core.api.SecretInfo>>() {});
    }

    /** Sets and unsets secrets in one change; the answer names the release that rolls them out, if any. */
    public dev.outpost.core.api.SecretsChange changeSecrets(String app, dev.outpost.core.api.ChangeSecretsRequest request)
            throws ApiException {
        return send("PATCH", "/v1/apps/" + seg(app) + "/secrets", request, new TypeReference<dev.outpost.core.api.SecretsChange>() {});
    }

    /** Makes a release of an earlier release's artifact and config ({@code version} null: the previous serving one). */
    public Release rollback(String app, Integer version) throws ApiException {
        return send("POST", "/v1/apps/" + seg(app) + "/rollback", new dev.outpost.core.api.RollbackRequest(version),
                new TypeReference<Release>() {});
    }

    /** Makes a release of {@code app} from the artifact {@code from}'s serving release runs. */
    public Release promote(String from, String app) throws ApiException {
        return send("POST", "/v1/apps/" + seg(app) + "/promote", new dev.outpost.core.api.PromoteRequest(from),
                new TypeReference<Release>() {});
    }

    public List<Instance> instances(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/instances", new TypeReference<List<Instance>>() {});
    }

    /** Every instance not being destroyed, or only {@code app}'s when it is not null. */
    public List<Instance> allInstances(String app) throws ApiException {
        return get("/v1/instances" + (app == null ? "" : "?app=" + seg(app)), new TypeReference<List<Instance>>() {});
    }

    /** {@code start}, {@code stop}, {@code restart} or {@code destroy} instance {@code id}; the answer says what happens next. */
    public dev.outpost.core.api.InstanceAction instanceAction(String id, String action) throws ApiException {
        String path = "/v1/instances/" + seg(id);
        TypeReference<dev.outpost.core.api.InstanceAction> answer = new TypeReference<>() {};
        return action.equals("destroy") ? send("DELETE", path, null, answer) : send("POST", path + "/" + seg(action), null, answer);
    }

    public App scale(String app, ScaleRequest request) throws ApiException {
        return send("PUT", "/v1/apps/" + seg(app) + "/scale", request, new TypeReference<App>() {});
    }

    public List<RegionInfo> regions() throws ApiException {
        return get("/v1/regions", new TypeReference<List<RegionInfo>>() {});
    }

    /** {@code PUT /v1/certs/{host}}: the server validates the chain and key, then stores the key encrypted. */
    public dev.outpost.core.api.CertificateImported importCertificate(String host, dev.outpost.core.api.ImportCertificateRequest request)
            throws ApiException {
        return send("PUT", "/v1/certs/" + seg(host), request, new TypeReference<dev.outpost.core.api.CertificateImported>() {});
    }

    /** {@code GET /v1/certs}: the imported certificates (never their keys). */
    public List<dev.outpost.core.api.CertificateInfo> certificates() throws ApiException {
        return get("/v1/certs", new TypeReference<List<dev.outpost.core.api.CertificateInfo>>() {});
    }

    /** {@code GET /v1/edges}: the edge proxies with the round trips each measured. */
    public dev.outpost.core.api.EdgeList edges() throws ApiException {
        return get("/v1/edges", new TypeReference<dev.outpost.core.api.EdgeList>() {});
    }

    /**
     * {@code GET /v1/apps/{app}/events}: the last {@code limit} events without {@code since}, else those
     * after event {@code since}; with {@code index} and {@code wait}, a blocking query that waits for
     * the store to move past {@code index} ({@code outpost events --follow}).
     */
    public dev.outpost.core.api.EventList events(String app, Long since, int limit, long index, Duration wait) throws ApiException {
        String path = "/v1/apps/" + seg(app) + "/events?limit=" + limit + (since == null ? "" : "&since=" + since)
                + (index > 0 && wait != null ? "&index=" + index + "&wait=" + Durations.format(wait) : "");
        Duration timeout = wait == null ? CALL_TIMEOUT : CALL_TIMEOUT.plus(wait);
        return call(request(path, timeout).GET(), path, "GET", type(new TypeReference<dev.outpost.core.api.EventList>() {}));
    }

    /** {@code GET /v1/apps/{app}/budget}: budget, spend so far, forecast, suspension. */
    public dev.outpost.core.api.BudgetReport budget(String app) throws ApiException {
        return get("/v1/apps/" + seg(app) + "/budget", new TypeReference<dev.outpost.core.api.BudgetReport>() {});
    }

    /** {@code PUT /v1/apps/{app}/budget}: sets the monthly budget (USD); a raise above the spend un-suspends at once. */
    public dev.outpost.core.api.BudgetReport setBudget(String app, double monthlyUsd) throws ApiException {
        return send("PUT", "/v1/apps/" + seg(app) + "/budget", java.util.Map.of("monthlyUsd", monthlyUsd),
                new TypeReference<dev.outpost.core.api.BudgetReport>() {});
    }

    /** {@code POST /v1/webhooks}: the answer carries the signing secret, the only time it is shown. */
    public dev.outpost.core.api.WebhookInfo addWebhook(String url, List<String> events) throws ApiException {
        return send("POST", "/v1/webhooks", java.util.Map.of("url", url, "events", events),
                new TypeReference<dev.outpost.core.api.WebhookInfo>() {});
    }

    /** {@code GET /v1/webhooks}: every webhook, without secrets. */
    public List<dev.outpost.core.api.WebhookInfo> webhooks() throws ApiException {
        return get("/v1/webhooks", new TypeReference<java.util.Map<String, List<dev.outpost.core.api.WebhookInfo>>>() {})
                .getOrDefault("webhooks", List.of());
    }

    /** {@code DELETE /v1/webhooks/{id}}. */
    public void removeWebhook(String id) throws ApiException {
        send("DELETE", "/v1/webhooks/" + seg(id), null, null);
    }

    /** {@code GET /v1/webhooks/deliveries}: the last deliveries, newest first (of one webhook when {@code webhookId} is set). */
    public List<dev.outpost.core.api.WebhookDeliveryInfo> webhookDeliveries(String webhookId) throws ApiException {
        return get("/v1/webhooks/deliveries" + (webhookId == null ? "" : "?webhook=" + seg(webhookId)),
                new TypeReference<java.util.Map<String, List<dev.outpost.core.api.WebhookDeliveryInfo>>>() {})
                .getOrDefault("deliveries", List.of());
    }

    /**
     * {@code GET /v1/apps/{app}/logs}: {@code filters} are query parameters (since, region, instance,
     * grep, limit; null values left out); with {@code after} and a {@code wait} above zero, the call
     * waits that long for lines newer than the cursor (follow mode).
     */
    public dev.outpost.core.api.LogPage logs(String app, java.util.Map<String, String> filters, Long after, Duration wait)
            throws ApiException {
        StringBuilder path = new StringBuilder("/v1/apps/" + seg(app) + "/logs");
        java.util.Map<String, String> params = new java.util.LinkedHashMap<>(filters);
        if (after != null) {
            params.put("after", Long.toString(after));
            if (wait != null && !wait.isZero()) {
                params.put("wait", Durations.format(wait));
            }
        }
        char sep = '?';
        for (var e : params.entrySet()) {
            if (e.getValue() != null) {
                path.append(sep).append(e.getKey()).append('=').append(seg(e.getValue()));
                sep = '&';
            }
        }
        Duration timeout = wait == null ? CALL_TIMEOUT : CALL_TIMEOUT.plus(wait);
        return call(request(path.toString(), timeout).GET(), path.toString(), "GET",
                type(new TypeReference<dev.outpost.core.api.LogPage>() {}));
    }

    /** Whether the registry already holds the blob {@code digest} ({@code sha256:HEX}) for {@code app}. */
    public boolean blobExists(String app, String digest) throws ApiException {
        String path = "/v2/" + seg(app) + "/blobs/" + digest;
        HttpResponse<Void> answer = exchange(request(path, CALL_TIMEOUT).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                path, "HEAD", HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() == 404) {
            return false;
        }
        if (answer.statusCode() / 100 == 2) {
            return true;
        }
        // HEAD answers carry no body, so the problem detail is the status itself.
        throw new ApiException(answer.statusCode(), "HTTP " + answer.statusCode(),
                "HEAD " + path + " failed: HTTP " + answer.statusCode());
    }

    /** Uploads {@code file} as the blob {@code digest}; the registry checks the digest. */
    public BlobInfo uploadBlob(String app, String digest, Path file) throws ApiException {
        String path = "/v2/" + seg(app) + "/blobs/uploads/?digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body;
        long size;
        try {
            size = Files.size(file);
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (IOException e) {
            throw new ApiException(ApiException.UNREACHABLE, e.getMessage(), "cannot read the bundle " + file + ": " + e.getMessage(), e);
        }
        HttpResponse<String> answer = exchange(request(path, UPLOAD_TIMEOUT)
                .header("Content-Type", "application/octet-stream").POST(body), path, "POST", HttpResponse.BodyHandlers.ofString());
        check(answer, "POST", path);
        String stored = answer.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!stored.equals(digest)) {
            throw new ApiException(answer.statusCode(), "digest mismatch",
                    "the registry stored the bundle as " + stored + " but it was sent as " + digest);
        }
        return new BlobInfo(stored, size);
    }

    @Override
    public void close() {
        http.close();
    }

    private <T> T get(String path, TypeReference<T> answer) throws ApiException {
        return call(request(path, CALL_TIMEOUT).GET(), path, "GET", type(answer));
    }

    private <T> T send(String method, String path, Object body, TypeReference<T> answer) throws ApiException {
        HttpRequest.Builder b = request(path, CALL_TIMEOUT);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes;
            try {
                bytes = json.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new IllegalStateException("cannot serialize " + body.getClass().getSimpleName(), e);
            }
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        return call(b, path, method, answer == null ? null : type(answer));
    }

    private <T> T call(HttpRequest.Builder b, String path, String method, JavaType answerType) throws ApiException {
        HttpResponse<byte[]> answer = exchange(b, path, method, HttpResponse.BodyHandlers.ofByteArray());
        check(answer, method, path);
        if (answerType == null) {
            return null;
        }
        try {
            return json.readValue(answer.body(), answerType);
        } catch (IOException e) {
            throw new ApiException(answer.statusCode(), "unreadable answer",
                    method + " " + path + ": the server's answer is not a " + answerType.getGenericSignature() + ": " + e.getMessage(), e);
        }
    }

    private HttpRequest.Builder request(String pathAndQuery, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, " + Problem.MEDIA_TYPE);
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder b, String path, String method, HttpResponse.BodyHandler<T> handler)
            throws ApiException {
        try {
            LOG.debug("{} {}{}", method, base, path);
            return http.send(b.build(), handler);
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + Durations.format(CONNECT_TIMEOUT), e);
        } catch (ConnectException e) {
            throw unreachable("connection refused (is `outpost dev` running?)", e);
        } catch (HttpTimeoutException e) {
            throw new ApiException(ApiException.UNREACHABLE, "timed out",
                    "the Outpost API at " + base + " did not answer " + method + " " + path + " in time", e);
        } catch (FileNotFoundException e) {
            throw new ApiException(ApiException.UNREACHABLE, e.getMessage(), "cannot read what to send: " + e.getMessage(), e);
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiException.UNREACHABLE, "interrupted", method + " " + path + " was interrupted", e);
        }
    }

    private ApiException unreachable(String why, Exception cause) {
        return new ApiException(ApiException.UNREACHABLE, why, "cannot reach the Outpost API at " + base + ": " + why, cause);
    }

    private void check(HttpResponse<?> answer, String method, String path) throws ApiException {
        int status = answer.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String detail = detail(answer);
        throw new ApiException(status, detail, detail + " (HTTP " + status + " from " + method + " " + path + ")");
    }

    /** The server's own sentence: the problem's detail, else its title, else the body's first line. */
    private String detail(HttpResponse<?> answer) {
        String body = switch (answer.body()) {
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            case String s -> s;
            case null, default -> "";
        };
        String contentType = answer.headers().firstValue("Content-Type").orElse("");
        if (contentType.startsWith(Problem.MEDIA_TYPE) || contentType.startsWith("application/json")) {
            try {
                JsonNode node = json.readTree(body);
                // problem+json from /v1; the registry (/v2) answers OCI's {"errors":[{"code","message"}]}
                for (JsonNode candidate : List.of(node.path("detail"), node.path("title"), node.path("errors").path(0).path("message"))) {
                    if (candidate.isTextual() && !candidate.asText().isBlank()) {
                        return candidate.asText();
                    }
                }
            } catch (IOException e) {
                LOG.debug("error body is not JSON: {}", e.getMessage());
            }
        }
        String firstLine = body.strip().lines().findFirst().orElse("");
        return firstLine.isEmpty() ? "HTTP " + answer.statusCode() : firstLine;
    }

    private JavaType type(TypeReference<?> ref) {
        return json.getTypeFactory().constructType(ref);
    }

    private static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
