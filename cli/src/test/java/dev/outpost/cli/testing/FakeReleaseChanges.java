package dev.outpost.cli.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.outpost.core.Json;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.api.Problem;
import dev.outpost.core.api.PromoteRequest;
import dev.outpost.core.api.RollbackRequest;
import dev.outpost.core.api.SecretInfo;
import dev.outpost.core.api.SecretsChange;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The part of {@link FakeOutpostApi} that makes releases without an upload: secrets (kept in plain
 * text here, listed the way the server lists them), rollback and promote. Releases it makes are
 * {@code deploying} and move on like any other of the fake's.
 */
final class FakeReleaseChanges {
    static final Pattern PATH = Pattern.compile("/v1/apps/([^/]+)/(secrets|rollback|promote)");
    private static final Instant T = Instant.parse("2025-01-02T03:04:05Z");

    private final Map<String, App> apps;
    private final Map<String, List<Release>> releases;
    private final AtomicLong index;
    private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();
    private final ObjectMapper json = Json.mapper();

    FakeReleaseChanges(Map<String, App> apps, Map<String, List<Release>> releases, AtomicLong index) {
        this.apps = apps;
        this.releases = releases;
        this.index = index;
    }

    /** The app's secrets as set, name → value (what agents would get). */
    Map<String, String> secrets(String app) {
        return Map.copyOf(secrets.getOrDefault(app, Map.of()));
    }

    synchronized void handle(HttpExchange ex, String method, String appName, String what, byte[] body) throws IOException {
        App app = apps.get(appName);
        if (app == null) {
            problem(ex, 404, "app " + appName + " not found");
            return;
        }
        switch (what + " " + method) {
            case "secrets GET" -> send(ex, 200, infos(appName));
            case "secrets PATCH" -> changeSecrets(ex, app, json.readValue(body, ChangeSecretsRequest.class));
            case "rollback POST" -> rollback(ex, app, body.length == 0 ? null : json.readValue(body, RollbackRequest.class).version());
            case "promote POST" -> promote(ex, app, json.readValue(body, PromoteRequest.class).from());
            default -> problem(ex, 405, method + " is not allowed on " + what);
        }
    }

    private void changeSecrets(HttpExchange ex, App app, ChangeSecretsRequest req) throws IOException {
        Map<String, String> current = secrets.computeIfAbsent(app.name(), a -> new ConcurrentHashMap<>());
        for (String name : req.unset()) {
            if (!current.containsKey(name)) {
                problem(ex, 404, "secret " + name + " of app " + app.name() + " is not set (outpost secrets list shows them)");
                return;
            }
        }
        List<String> changed = new ArrayList<>(new TreeMap<>(req.set()).keySet().stream()
                .filter(k -> !req.set().get(k).equals(current.get(k))).toList());
        current.putAll(req.set());
        req.unset().forEach(current::remove);
        List<Release> list = list(app.name());
        Release made = null;
        if (!(changed.isEmpty() && req.unset().isEmpty()) && !list.isEmpty()) {
            Release base = list.getLast();
            made = add(app.name(), base.artifactDigest(), base.config(), "secrets changed:" + (changed.isEmpty() ? "" : " set "
                    + String.join(", ", changed)) + (req.unset().isEmpty() ? "" : " unset " + String.join(", ", req.unset())));
        }
        send(ex, 200, new SecretsChange(infos(app.name()), made));
    }

    private void rollback(HttpExchange ex, App app, Integer version) throws IOException {
        List<Release> list = list(app.name());
        Integer current = app.currentRelease();
        Release target;
        if (version != null) {
            target = list.stream().filter(r -> r.version() == version).findFirst().orElse(null);
            if (target == null) {
                problem(ex, 404, "release v" + version + " of app " + app.name() + " not found (outpost releases lists them)");
                return;
            }
            if (version.equals(current)) {
                problem(ex, 409, "v" + version + " is already serving");
                return;
            }
        } else {
            target = list.stream().filter(r -> current != null && r.version() < current && r.status() == ReleaseStatus.SUPERSEDED)
                    .max(Comparator.comparingInt(Release::version)).orElse(null);
            if (target == null) {
                problem(ex, 409, "no release of " + app.name() + " older than v" + current + " has served; there is nothing to roll back to");
                return;
            }
        }
        send(ex, 201, add(app.name(), target.artifactDigest(), target.config(), "rollback to v" + target.version()));
    }

    private void promote(HttpExchange ex, App to, String fromName) throws IOException {
        App from = fromName == null ? null : apps.get(fromName);
        if (from == null) {
            problem(ex, 404, "app " + fromName + " not found (outpost apps list shows your apps)");
            return;
        }
        Release source = list(from.name()).stream().filter(r -> from.currentRelease() != null && r.version() == from.currentRelease())
                .findFirst().orElse(null);
        if (source == null) {
            problem(ex, 409, from.name() + " has no serving release to promote: deploy it first (outpost deploy --env staging)");
            return;
        }
        send(ex, 201, add(to.name(), source.artifactDigest(), source.config().withApp(to.name()),
                "promote " + from.name() + " v" + source.version()));
    }

    private Release add(String app, String digest, AppConfig config, String message) {
        List<Release> list = releases.computeIfAbsent(app, a -> new CopyOnWriteArrayList<>());
        // as the server does, superseded is what a release becomes once a newer one serves
        for (int i = 0; i < list.size(); i++) {
            Release r = list.get(i);
            if (r.status() == ReleaseStatus.ACTIVE) {
                list.set(i, r.withStatus(ReleaseStatus.SUPERSEDED, "replaced", null));
            }
        }
        Release r = new Release(app, list.size() + 1, digest, config, ReleaseStatus.DEPLOYING, message, null, T, T.plusSeconds(120));
        list.add(r);
        index.incrementAndGet();
        return r;
    }

    private List<Release> list(String app) {
        return releases.getOrDefault(app, List.of());
    }

    private List<SecretInfo> infos(String app) {
        return new TreeMap<>(secrets.getOrDefault(app, Map.of())).entrySet().stream()
                .map(e -> new SecretInfo(e.getKey(), FakeOutpostApi.sha256(e.getValue().getBytes(StandardCharsets.UTF_8)).substring(7, 23), T))
                .toList();
    }

    private void send(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = json.writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void problem(HttpExchange ex, int status, String detail) throws IOException {
        byte[] bytes = json.writeValueAsBytes(new Problem("about:blank", "error", status, detail));
        ex.getResponseHeaders().add("Content-Type", Problem.MEDIA_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
