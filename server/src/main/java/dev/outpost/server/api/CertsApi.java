package dev.outpost.server.api;

import dev.outpost.core.Json;
import dev.outpost.core.api.CertificateImported;
import dev.outpost.core.api.CertificateInfo;
import dev.outpost.core.api.EdgeCertificates;
import dev.outpost.core.api.ImportCertificateRequest;
import dev.outpost.server.certs.CertificateException;
import dev.outpost.server.certs.ImportedCertificate;
import dev.outpost.server.secrets.SecretBox;
import dev.outpost.store.Certificates;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * TLS certificates for the edges: {@code PUT /v1/certs/{host}} validates a chain and key
 * ({@link ImportedCertificate}) and stores the key sealed under the server's secrets key;
 * {@code GET /v1/certs} lists what is imported (never a key); {@code GET /v1/certs/pem} is what edge
 * proxies watch (a blocking query with {@code ?index=N}): each host's chain and decrypted key;
 * {@code DELETE /v1/certs/{host}} removes one.
 */
public final class CertsApi {
    /** The "app" a certificate key is sealed under: no app can have this name, so a key never opens as a secret. */
    static final String SEAL_SCOPE = "@certificates";

    private final Store store;
    private final SecretBox box;
    private final Clock clock;

    public CertsApi(Store store, SecretBox box, Clock clock) {
        this.store = store;
        this.box = box;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/certs", ctx -> ctx.json(store.certificates().list().stream().map(CertsApi::info).toList()));
        routes.get("/v1/certs/pem", this::pem);
        routes.put("/v1/certs/{host}", this::importCertificate);
        routes.delete("/v1/certs/{host}", ctx -> {
            String host = ctx.pathParam("host").toLowerCase(Locale.ROOT);
            if (!store.certificates().remove(host)) {
                throw ApiException.notFound("no certificate is imported for " + host + " (outpost certs list shows them)");
            }
            ctx.status(204);
        });
    }

    private void importCertificate(Context ctx) {
        ImportCertificateRequest req;
        try {
            req = Json.mapper().readValue(ctx.bodyAsBytes(), ImportCertificateRequest.class);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("body must be JSON {\"chain\": PEM, \"key\": PEM}: " + e.getMessage());
        }
        if (req == null) {
            throw ApiException.badRequest("body must be JSON {\"chain\": PEM, \"key\": PEM}, got none");
        }
        Instant now = clock.instant();
        ImportedCertificate cert;
        try {
            cert = ImportedCertificate.parse(ctx.pathParam("host"), req.chain(), req.key(), now);
        } catch (CertificateException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Certificates.Stored stored = new Certificates.Stored(cert.host(), cert.chainPem(), box.seal(SEAL_SCOPE, cert.host(), cert.keyPem()),
                cert.leaf().getNotAfter().toInstant(), now);
        store.certificates().put(stored);
        ctx.json(new CertificateImported(info(stored), cert.warnings()));
    }

    private void pem(Context ctx) {
        long index = Blocking.index(ctx);
        List<EdgeCertificates.Entry> entries = store.certificates().list().stream()
                .map(c -> new EdgeCertificates.Entry(c.host(), c.chainPem(), box.open(SEAL_SCOPE, c.host(), c.sealedKey())))
                .toList();
        ctx.json(new EdgeCertificates(index, entries));
    }

    private static CertificateInfo info(Certificates.Stored stored) {
        ImportedCertificate parsed = leafOnly(stored);
        X509Certificate leaf = parsed.leaf();
        return new CertificateInfo(stored.host(), leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(),
                parsed.names(), leaf.getNotBefore().toInstant(), stored.notAfter(), parsed.fingerprint(), stored.importedAt());
    }

    /** The stored chain re-read (already validated on import; the key is not needed to describe it). */
    private static ImportedCertificate leafOnly(Certificates.Stored stored) {
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(stored.chainPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toList();
            return new ImportedCertificate(stored.host(), chain, "", List.of());
        } catch (java.security.cert.CertificateException e) {
            throw new CertificateException("stored certificate of " + stored.host() + " does not parse: " + e.getMessage(), e);
        }
    }
}
