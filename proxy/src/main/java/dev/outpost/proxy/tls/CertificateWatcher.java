package dev.outpost.proxy.tls;

import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the server's certificates with blocking queries ({@code GET {api}/v1/certs/pem?index=N&wait=30s},
 * {@code Authorization: Bearer <token>}) on a virtual thread, passing each answer whose index moved
 * to {@code onCertificates} (typically {@link SniCertificates#update}). On failure it keeps the last
 * certificates and retries after 1 s, doubling to 30 s — the same contract as the route watcher.
 */
public final class CertificateWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);
    private static final Duration QUERY_WAIT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final URI api;
    private final String token;
    private final Consumer<EdgeCertificates> onCertificates;
    private final HttpClient client;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;

    public CertificateWatcher(URI api, String token, Consumer<EdgeCertificates> onCertificates) {
        if (api == null || !("http".equals(api.getScheme()) || "https".equals(api.getScheme()))) {
            throw new IllegalArgumentException("certificate watcher needs an http(s) API address such as http://127.0.0.1:7280, got " + api);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("certificate watcher needs an API token, got none");
        }
        String base = api.toString();
        this.api = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token;
        this.onCertificates = onCertificates;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Starts watching on a virtual thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("certificate watcher of " + api + " is already started");
        }
        thread = Thread.ofVirtual().name("outpost-cert-watcher").start(this::run);
    }

    /** Stops watching; returns when the watching thread has ended. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            running = thread;
        }
        closed.countDown();
        client.shutdownNow();
        if (running != null) {
            running.interrupt();
            try {
                if (!running.join(Duration.ofSeconds(5))) {
                    LOG.warn("certificate watcher of {} did not stop within 5s", api);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.close();
    }

    private void run() {
        long index = 0;
        boolean first = true;
        Duration backoff = FIRST_BACKOFF;
        while (closed.getCount() > 0) {
            try {
                EdgeCertificates certificates = fetch(index);
                if (first || certificates.index() != index) {
                    deliver(certificates);
                }
                first = false;
                index = certificates.index();
                backoff = FIRST_BACKOFF;
            } catch (InterruptedException e) {
                return;
            } catch (TlsException e) {
                if (closed.getCount() == 0) {
                    return;
                }
                LOG.warn("{}; keeping the last certificates, retrying in {}", e.getMessage(), Durations.format(backoff));
                try {
                    if (closed.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) <= 0 ? backoff.multipliedBy(2) : MAX_BACKOFF;
            }
        }
    }

    private EdgeCertificates fetch(long index) throws InterruptedException {
        URI uri = URI.create(api + "/v1/certs/pem?index=" + index + "&wait=" + Durations.format(QUERY_WAIT));
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").timeout(QUERY_WAIT.plusSeconds(10)).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TlsException("certificate watch GET " + uri + " failed: " + e, e);
        } catch (IllegalStateException e) {
            throw new InterruptedException("certificate watcher closed");
        }
        if (response.statusCode() != 200) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new TlsException("certificate watch GET " + uri + " answered " + response.statusCode() + ": "
                    + (body.length() > 200 ? body.substring(0, 200) + "…" : body), null);
        }
        try {
            return Json.mapper().readValue(response.body(), EdgeCertificates.class);
        } catch (IOException e) {
            throw new TlsException("certificate watch GET " + uri + " answered a body that is not a certificate list: " + e.getMessage(), e);
        }
    }

    private void deliver(EdgeCertificates certificates) {
        try {
            onCertificates.accept(certificates);
        } catch (RuntimeException e) {
            LOG.error("certificate watcher of {}: applying certificates at index {} failed", api, certificates.index(), e);
        }
    }
}
