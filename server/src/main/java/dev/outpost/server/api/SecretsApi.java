package dev.outpost.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outpost.core.Json;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.api.SecretInfo;
import dev.outpost.core.api.SecretsChange;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.server.secrets.ReleaseSecrets;
import dev.outpost.server.secrets.SecretBox;
import dev.outpost.server.secrets.SecretNames;
import dev.outpost.store.Secrets;
import dev.outpost.store.Store;
import dev.outpost.store.StoreException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Secrets: {@code GET /v1/apps/{app}/secrets} lists names, value digests and update times (never
 * values); {@code PATCH /v1/apps/{app}/secrets} sets and unsets in one new secrets version, and
 * makes a release that runs them (the same artifact and config as the newest deploying, else the
 * current, else the newest release).
 */
public final class SecretsApi {
    /** Concurrent changes of one app's secrets are retried this often before giving up with a 409. */
    private static final int ATTEMPTS = 3;

    private final Store store;
    private final ReleaseSecrets secrets;
    private final Clock clock;

    public SecretsApi(Store store, ReleaseSecrets secrets, Clock clock) {
        this.store = store;
        this.secrets = secrets;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps/{app}/secrets", ctx -> {
            App app = AppsApi.app(store, ctx.pathParam("app"));
            ctx.json(infos(app.name(), store.secrets().current(app.name())));
        });
        routes.patch("/v1/apps/{app}/secrets", this::change);
    }

    private void change(Context ctx) {
        App app = AppsApi.app(store, ctx.pathParam("app"));
        ChangeSecretsRequest req = body(ctx);
        check(req);
        for (int attempt = 1; ; attempt++) {
            try {
                ctx.json(apply(app.name(), req));
                return;
            } catch (StoreException.Conflict e) {
                if (attempt == ATTEMPTS) {
                    throw ApiException.conflict("secrets of " + app.name() + " keep changing under this request (" + e.getMessage()
                            + "); try again");
                }
            }
        }
    }

    private SecretsChange apply(String app, ChangeSecretsRequest req) {
        SecretBox box = secrets.box();
        Secrets.SecretSet current = store.secrets().current(app);
        Map<String, Secrets.Sealed> next = new TreeMap<>();
        current.secrets().forEach(s -> next.put(s.name(), s));
        List<String> unknown = req.unset().stream().filter(n -> !next.containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            throw ApiException.notFound("secret" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + " of app " + app
                    + (unknown.size() > 1 ? " are" : " is") + " not set (outpost secrets list shows them)");
        }
        Instant now = clock.instant();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(req.set()).entrySet()) {
            Secrets.Sealed old = next.get(e.getKey());
            if (old != null && box.open(app, old.name(), old.sealed()).equals(e.getValue())) {
                continue;
            }
            next.put(e.getKey(), new Secrets.Sealed(e.getKey(), box.seal(app, e.getKey(), e.getValue()), now));
            changed.add(e.getKey());
        }
        List<String> removed = new ArrayList<>(new TreeSet<>(req.unset()));
        removed.forEach(next::remove);
        if (changed.isEmpty() && removed.isEmpty()) {
            return new SecretsChange(infos(app, current), null);
        }
        String note = "secrets changed:" + (changed.isEmpty() ? "" : " set " + String.join(", ", changed))
                + (changed.isEmpty() || removed.isEmpty() ? "" : ";") + (removed.isEmpty() ? "" : " unset " + String.join(", ", removed));
        Secrets.NewRelease release = base(app).map(r -> new Secrets.NewRelease(r.artifactDigest(), r.config(),
                RollbackApi.deadline(r.config(), now), note)).orElse(null);
        Optional<Release> made = store.secrets().replace(app, current.version(), List.copyOf(next.values()), now, release);
        return new SecretsChange(infos(app, store.secrets().current(app)),
                made.map(r -> r.withStatus(r.status(), note, null)).orElse(null));
    }

    /** What a secrets change redeploys: the newest deploying release, else the current one, else the newest. */
    private Optional<Release> base(String app) {
        App now = AppsApi.app(store, app);
        List<Release> releases = store.listReleases(app);
        Optional<Release> deploying = releases.stream().filter(r -> r.status() == ReleaseStatus.DEPLOYING)
                .max(Comparator.comparingInt(Release::version));
        if (deploying.isPresent()) {
            return deploying;
        }
        Optional<Release> current = releases.stream().filter(r -> now.currentRelease() != null && r.version() == now.currentRelease())
                .findFirst();
        return current.isPresent() ? current : releases.stream().findFirst();
    }

    private List<SecretInfo> infos(String app, Secrets.SecretSet set) {
        Map<String, String> values = secrets.open(app, set);
        return set.secrets().stream()
                .map(s -> new SecretInfo(s.name(), ReleaseSecrets.digest(values.get(s.name())), s.updatedAt()))
                .toList();
    }

    /** Rejects bad names and values where they enter; no message ever repeats a value. */
    private static void check(ChangeSecretsRequest req) {
        if (req.set().isEmpty() && req.unset().isEmpty()) {
            throw ApiException.badRequest("nothing to change: name secrets to set ({\"set\": {\"NAME\": \"value\"}}) or to unset"
                    + " ({\"unset\": [\"NAME\"]})");
        }
        for (Map.Entry<String, String> e : req.set().entrySet()) {
            String problem = SecretNames.check(e.getKey());
            if (problem != null) {
                throw ApiException.badRequest(problem);
            }
            if (e.getValue() == null) {
                throw ApiException.badRequest("secret " + e.getKey() + " has no value (null); to remove it, unset it");
            }
            int bytes = e.getValue().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > SecretNames.MAX_VALUE_BYTES) {
                throw ApiException.badRequest("secret " + e.getKey() + " is " + bytes + " bytes; values are limited to "
                        + SecretNames.MAX_VALUE_BYTES + " bytes");
            }
            if (req.unset().contains(e.getKey())) {
                throw ApiException.badRequest("secret " + e.getKey() + " is both set and unset in one change; pick one");
            }
        }
        for (String name : req.unset()) {
            String problem = SecretNames.check(name);
            if (problem != null) {
                throw ApiException.badRequest(problem);
            }
        }
    }

    /** Like {@code Requests.body}, but a parse error never quotes the body: it holds secret values. */
    private static ChangeSecretsRequest body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request needs a JSON body (ChangeSecretsRequest: {\"set\": {…}, \"unset\": […]})");
        }
        try {
            ChangeSecretsRequest req = Json.mapper().readValue(bytes, ChangeSecretsRequest.class);
            if (req == null) {
                throw ApiException.badRequest("the JSON body is null; expected {\"set\": {…}, \"unset\": […]}");
            }
            return req;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiException.badRequest("malformed JSON body" + where + ": expected {\"set\": {\"NAME\": \"value\"}, \"unset\": [\"NAME\"]}");
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getClass().getSimpleName());
        }
    }
}
