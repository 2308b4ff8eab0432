package dev.outpost.proxy.control;

import dev.outpost.core.Json;
import dev.outpost.core.api.AutostartRequest;
import dev.outpost.core.api.Problem;
import dev.outpost.proxy.routing.Autostarts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an instance the way an edge may: {@code POST /v1/apps/{app}/autostart} naming the instance and this
 * edge. Asynchronous (the caller is an event loop); a refusal fails the future with the server's sentence.
 */
public final class ControlPlaneStarter implements Autostarts.Starter {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneStarter.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String api;
    private final String token;
    private final String region;
    private final String edgeId;
    private final HttpClient client;

    public ControlPlaneStarter(URI api, String token, String region, String edgeId) {
        if (api == null || !("http".equals(api.getScheme()) || "https".equals(api.getScheme()))) {
            throw new IllegalArgumentException("autostart needs an http(s) API address such as http://127.0.0.1:7280, got " + api);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("autostart needs an API token, got none");
        }
        this.api = api.toString().replaceAll("/+$", "");
        this.token = token;
        this.region = region;
        this.edgeId = edgeId;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    @Override
    public CompletableFuture<Void> start(String app, String instanceId) {
        URI uri = URI.create(api + "/v1/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8) + "/autostart");
        byte[] body;
        try {
            body = Json.mapper().writeValueAsBytes(new AutostartRequest(instanceId, edgeId, region));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                String why = detail(response.body());
                LOG.warn("edge {}: autostart of instance {} of {} refused ({}): {}", edgeId, instanceId, app, response.statusCode(), why);
                throw new IllegalStateException(why);
            }
            LOG.info("edge {}: asked the server to start instance {} of {}", edgeId, instanceId, app);
            return null;
        });
    }

    private static String detail(String body) {
        try {
            Problem p = Json.mapper().readValue(body, Problem.class);
            if (p.detail() != null) {
                return p.detail();
            }
        } catch (IOException | RuntimeException e) {
            // not a problem body: the raw text says more than nothing
        }
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
