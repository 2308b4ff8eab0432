package dev.outpost.server.webhooks;

import dev.outpost.core.Ids;
import dev.outpost.core.api.WebhookDeliveryInfo;
import dev.outpost.core.api.WebhookInfo;
import dev.outpost.server.api.ApiException;
import dev.outpost.server.api.Requests;
import dev.outpost.server.secrets.SecretBox;
import dev.outpost.store.Store;
import dev.outpost.store.Webhook;
import dev.outpost.store.WebhookDelivery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/webhooks} ({@code {"url": …, "events": ["budget", …]}}; the answer carries the
 * signing secret, the only time it is shown), {@code GET /v1/webhooks}, {@code DELETE /v1/webhooks/{id}}
 * and {@code GET /v1/webhooks/deliveries?webhook=ID}.
 */
public final class WebhooksApi {
    /** The first segments of event kinds a webhook may subscribe to. */
    public static final Set<String> KINDS = Set.of("budget", "deploy", "instance", "scale");
    private static final int DELIVERIES = 100;
    private static final String SECRET_PREFIX = "whsec_";

    /** The "app" signing secrets are sealed under: no app can have this name, so one never opens as an app's secret. */
    static final String SEAL_SCOPE = "@webhooks";

    private final Store store;
    private final SecretBox box;
    private final Clock clock;

    public WebhooksApi(Store store, SecretBox box, Clock clock) {
        this.store = store;
        this.box = box;
        this.clock = clock;
    }

    /** The signing secret of {@code hook}, opened. @throws dev.outpost.server.secrets.SecretsException when it does not open */
    static String secret(SecretBox box, Webhook hook) {
        return box.open(SEAL_SCOPE, hook.id(), hook.sealedSecret());
    }

    /**
     * Seals the secrets an older server stored in plaintext ({@code whsec_…}: a sealed value is base64
     * and never holds {@code _}); run once at start.
     *
     * @return how many were sealed now
     */
    public static int sealPlaintextSecrets(Store store, SecretBox box) {
        int sealed = 0;
        for (Webhook hook : store.webhooks().list()) {
            if (hook.sealedSecret().startsWith(SECRET_PREFIX)) {
                store.webhooks().replaceSecret(hook.id(), box.seal(SEAL_SCOPE, hook.id(), hook.sealedSecret()));
                sealed++;
            }
        }
        return sealed;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/webhooks", this::add);
        routes.get("/v1/webhooks", ctx -> ctx.json(new WebhookList(store.webhooks().list().stream().map(WebhooksApi::listed).toList())));
        routes.get("/v1/webhooks/deliveries", ctx -> ctx.json(new DeliveryList(store.webhooks()
                .deliveries(ctx.queryParam("webhook"), DELIVERIES).stream().map(WebhooksApi::listed).toList())));
        routes.delete("/v1/webhooks/{id}", ctx -> {
            if (!store.webhooks().remove(ctx.pathParam("id"))) {
                throw ApiException.notFound("webhook " + ctx.pathParam("id") + " not found (outpost webhooks list shows them)");
            }
            ctx.status(204);
        });
    }

    private void add(Context ctx) {
        NewWebhook req = Requests.body(ctx, NewWebhook.class);
        checkUrl(req.url());
        if (req.events() == null || req.events().isEmpty()) {
            throw ApiException.badRequest("events is empty: subscribe to one or more of " + String.join(", ", KINDS.stream().sorted().toList()));
        }
        for (String kind : req.events()) {
            if (!KINDS.contains(kind)) {
                throw ApiException.badRequest("event kind \"" + kind + "\" is unknown: use " + String.join(", ", KINDS.stream().sorted().toList()));
            }
        }
        String id = "wh_" + Ids.random(10);
        String secret = SECRET_PREFIX + Ids.random(32);
        Webhook hook = store.webhooks().add(new Webhook(id, req.url(), req.events().stream().distinct().toList(),
                box.seal(SEAL_SCOPE, id, secret), clock.instant()));
        ctx.status(201).json(new WebhookInfo(hook.id(), hook.url(), hook.events(), secret, hook.createdAt()));
    }

    /** An http(s) URL with a host, or a 400 naming it. */
    static void checkUrl(String url) {
        try {
            URI uri = new URI(url == null ? "" : url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return;
            }
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("webhook URL \"" + url + "\" is not a URL (" + e.getReason() + "): give http(s)://host/path");
        }
        throw ApiException.badRequest("webhook URL \"" + url + "\" is not an http(s) URL with a host: give http(s)://host/path");
    }

    public record NewWebhook(String url, List<String> events) {}

    public record WebhookList(List<WebhookInfo> webhooks) {}

    public record DeliveryList(List<WebhookDeliveryInfo> deliveries) {}

    private static WebhookInfo listed(Webhook w) {
        return new WebhookInfo(w.id(), w.url(), w.events(), null, w.createdAt());
    }

    private static WebhookDeliveryInfo listed(WebhookDelivery d) {
        return new WebhookDeliveryInfo(d.id(), d.webhookId(), d.eventId(), d.status(), d.attempts(), d.nextAttempt(), d.lastCode(),
                d.lastError(), d.updatedAt());
    }
}
