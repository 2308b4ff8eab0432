package dev.outpost.agent.check;

import dev.outpost.core.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;

/** {@code GET} (or {@code HEAD}) {@code http://address:port/path}: passing on 2xx and 3xx within the timeout. */
public final class HttpProbe implements Probe {
    private final HttpClient http;
    private final String method;
    private final URI uri;
    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final Duration gracePeriod;

    /** {@code http} must not follow redirects: a 3xx is itself an answer that passes. */
    public HttpProbe(HttpClient http, String method, String address, int port, String path, Duration interval,
                     Duration timeout, Duration gracePeriod) {
        this.http = http;
        this.method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        if (!this.method.equals("GET") && !this.method.equals("HEAD")) {
            throw new IllegalArgumentException("http check method \"" + method + "\" is not supported (expected GET or HEAD)");
        }
        this.path = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
        String host = address.contains(":") ? "[" + address + "]" : address;
        this.uri = URI.create("http://" + host + ":" + port + this.path);
        this.interval = interval;
        this.timeout = timeout;
        this.gracePeriod = gracePeriod;
    }

    @Override
    public String name() {
        return method + " " + path;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public Duration gracePeriod() {
        return gracePeriod;
    }

    @Override
    public ProbeResult run() throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", "outpost-agent-check")
                .build();
        try {
            HttpResponse<Void> res = http.send(request, HttpResponse.BodyHandlers.discarding());
            int status = res.statusCode();
            String detail = name() + " → " + status;
            return status >= 200 && status < 400 ? ProbeResult.pass(detail) : ProbeResult.fail(detail);
        } catch (HttpConnectTimeoutException e) {
            return ProbeResult.fail(name() + " → connect timed out after " + Durations.format(timeout));
        } catch (HttpTimeoutException e) {
            return ProbeResult.fail(name() + " → no answer within " + Durations.format(timeout));
        } catch (ConnectException e) {
            return ProbeResult.fail(name() + " → connect refused");
        } catch (IOException e) {
            return ProbeResult.fail(name() + " → " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
