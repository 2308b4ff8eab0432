package dev.outpost.cli.testing;

import com.sun.net.httpserver.HttpExchange;
import dev.outpost.core.Json;
import dev.outpost.core.api.CertificateImported;
import dev.outpost.core.api.CertificateInfo;
import dev.outpost.core.api.ImportCertificateRequest;
import dev.outpost.core.api.Problem;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@code /v1/certs} for CLI tests: stores what is imported by host. A key containing {@code MISMATCH}
 * is refused the way the server refuses a key that is not the leaf's; a host starting with
 * {@code soon.} gets an expiry warning.
 */
public final class FakeCerts implements FakeOutpostApi.Endpoint {
    public static final Instant NOT_AFTER = Instant.parse("2027-01-01T00:00:00Z");

    private final Map<String, ImportCertificateRequest> imported = new ConcurrentSkipListMap<>();
    private final FakeOutpostApi api;

    public FakeCerts(FakeOutpostApi api) {
        this.api = api;
    }

    public Map<String, ImportCertificateRequest> imported() {
        return Map.copyOf(imported);
    }

    @Override
    public boolean handle(HttpExchange ex, String method, String path, String query) throws IOException {
        if (path.equals("/v1/certs") && method.equals("GET")) {
            send(ex, 200, imported.keySet().stream().map(FakeCerts::info).toList());
            return true;
        }
        if (!path.startsWith("/v1/certs/") || !method.equals("PUT")) {
            return false;
        }
        String host = path.substring("/v1/certs/".length());
        // FakeOutpostApi has read the body already for its log: take it from there.
        ImportCertificateRequest req = Json.mapper().readValue(api.requests("PUT", path).getLast().body(), ImportCertificateRequest.class);
        if (req.key().contains("MISMATCH")) {
            send(ex, 400, new Problem("about:blank", "bad request", 400,
                    "the private key does not match the certificate CN=" + host + " (the first in the chain)"));
            return true;
        }
        imported.put(host, req);
        send(ex, 200, new CertificateImported(info(host),
                host.startsWith("soon.") ? List.of("the certificate of " + host + " expires in 12 days") : List.of()));
        return true;
    }

    private static CertificateInfo info(String host) {
        return new CertificateInfo(host, "CN=" + host, "CN=Test CA", List.of(host), Instant.parse("2026-01-01T00:00:00Z"), NOT_AFTER,
                "ab".repeat(32), Instant.parse("2026-06-01T00:00:00Z"));
    }

    private static void send(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", status == 200 ? "application/json" : Problem.MEDIA_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
