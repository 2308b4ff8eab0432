package dev.outpost.server.webhooks;

import dev.outpost.server.secrets.SecretBox;
import dev.outpost.server.secrets.SecretsException;
import dev.outpost.server.watch.IndexWatch;
import dev.outpost.store.Store;
import dev.outpost.store.Webhook;
import dev.outpost.store.WebhookDelivery;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the deliveries the store queued with each event: one POST of the JSON body with its
 * {@link WebhookSignature}; a 2xx answer delivers it, anything else (or no answer) is retried after
 * 1 s, 2 s, 4 s … until {@link #MAX_ATTEMPTS}, then it failed. Each attempt is written to the store
 * before the next, so a restarted server resumes the schedule. Due times come from the injectable
 * clock; the loop wakes on every store change and at least every {@link #TICK}.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    public static final int MAX_ATTEMPTS = 6;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /**
     * The longest the loop sleeps without a store change: retries are due 1 s apart or more, and a new
     * event wakes it at once. A pass that finds nothing due is one small query.
     */
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int BATCH = 50;

    private final Store store;
    private final SecretBox box;
    private final IndexWatch watch;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Thread thread;
    private volatile boolean running = true;

    public WebhookDispatcher(Store store, SecretBox box, IndexWatch watch, Clock clock) {
        this.store = store;
        this.box = box;
        this.watch = watch;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("outpost-webhooks").daemon().unstarted(this::loop);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        long seen = 0;
        while (running) {
            try {
                seen = watch.await(seen, TICK);
                sendDue();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("webhook pass failed; retrying in {}", TICK, e);
            }
        }
    }

    /** Sends every delivery due now, one pass at a time (a delivery is never sent twice at once). Public for tests that step it by hand. */
    public synchronized void sendDue() throws InterruptedException {
        List<WebhookDelivery> due = store.webhooks().due(clock.instant(), BATCH);
        if (due.isEmpty()) {
            return; // the common pass: no need to read the webhooks
        }
        Map<String, Webhook> hooks = store.webhooks().list().stream().collect(Collectors.toMap(Webhook::id, Function.identity()));
        for (WebhookDelivery d : due) {
            Webhook hook = hooks.get(d.webhookId());
            if (hook == null) {
                continue;
            }
            send(hook, d);
        }
    }

    private void send(Webhook hook, WebhookDelivery d) throws InterruptedException {
        Instant now = clock.instant();
        Integer code = null;
        String error = null;
        try {
            String secret = WebhooksApi.secret(box, hook);
            HttpRequest request = HttpRequest.newBuilder(URI.create(hook.url())).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header(WebhookSignature.HEADER, WebhookSignature.header(secret, now.getEpochSecond(), d.body()))
                    .POST(HttpRequest.BodyPublishers.ofString(d.body())).build();
            code = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (code < 200 || code > 299) {
                error = "answered HTTP " + code;
            }
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (SecretsException e) {
            error = "cannot sign: " + e.getMessage();
        }
        int attempts = d.attempts() + 1;
        String status = error == null ? WebhookDelivery.DELIVERED : attempts >= MAX_ATTEMPTS ? WebhookDelivery.FAILED : WebhookDelivery.PENDING;
        Instant next = now.plus(FIRST_BACKOFF.multipliedBy(1L << (attempts - 1)));
        store.webhooks().recordAttempt(d.id(), status, code, error, next, now);
        if (error != null) {
            log.warn("webhook {} delivery {} attempt {} to {}: {}{}", hook.id(), d.id(), attempts, hook.url(), error,
                    status.equals(WebhookDelivery.FAILED) ? " (gave up)" : " (next at " + next + ")");
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
