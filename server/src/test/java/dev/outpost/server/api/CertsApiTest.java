package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.Json;
import dev.outpost.core.api.CertificateImported;
import dev.outpost.core.api.CertificateInfo;
import dev.outpost.core.api.EdgeCertificates;
import dev.outpost.core.api.ImportCertificateRequest;
import dev.outpost.server.ServerFixture;
import dev.outpost.server.certs.TestCertificates;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsApiTest {
    private static TestCertificates.Issued ca;
    private static TestCertificates.Issued intermediate;

    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeAll
    static void makeCa() throws Exception {
        ca = TestCertificates.ca("Outpost Test Root");
        intermediate = TestCertificates.intermediate(ca, "Outpost Test Intermediate");
    }

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private HttpResponse<String> importCert(String host, String chain, String key) throws Exception {
        return f.call("PUT", "/v1/certs/" + host, new ImportCertificateRequest(chain, key));
    }

    @Test
    void aValidChainIsStoredListedAndServedToEdgesWithItsKey() throws Exception {
        TestCertificates.Issued leaf = TestCertificates.leaf(intermediate, "app.example.com", "www.example.com");
        String chain = leaf.certificatePem() + intermediate.certificatePem();

        HttpResponse<String> imported = importCert("app.example.com", chain, leaf.keyPem());

        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        CertificateImported answer = Json.mapper().readValue(imported.body(), CertificateImported.class);
        assertThat(answer.warnings()).isEmpty();
        assertThat(answer.certificate().names()).containsExactly("app.example.com", "www.example.com");
        List<CertificateInfo> listed = Json.mapper().readValue(f.call("GET", "/v1/certs", null).body(),
                new TypeReference<List<CertificateInfo>>() {});
        assertThat(listed).extracting(CertificateInfo::host).containsExactly("app.example.com");
        assertThat(listed.get(0).issuer()).contains("Outpost Test Intermediate");
        HttpResponse<String> pem = f.call("GET", "/v1/certs/pem", null);
        EdgeCertificates edge = Json.mapper().readValue(pem.body(), EdgeCertificates.class);
        assertThat(edge.certificates()).hasSize(1);
        assertThat(parse(edge.certificates().get(0).chain())).containsExactly(leaf.certificate(), intermediate.certificate());
        assertThat(edge.certificates().get(0).key()).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void theKeyIsEncryptedAtRest() throws Exception {
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, "app.example.com");
        assertThat(importCert("app.example.com", leaf.certificatePem(), leaf.keyPem()).statusCode()).isEqualTo(200);
        String keyBody = keyBase64(f.call("GET", "/v1/certs/pem", null));

        assertThat(f.store.certificates().list().get(0).sealedKey()).doesNotContain("PRIVATE KEY").doesNotContain(keyBody.substring(0, 40));
        f.close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith("outpost.db")).toList()) {
                String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(file.toString()).doesNotContain("PRIVATE KEY").doesNotContain(keyBody.substring(0, 40));
            }
        }
        f = new ServerFixture(dir);
        assertThat(keyBase64(f.call("GET", "/v1/certs/pem", null))).isEqualTo(keyBody);
    }

    @Test
    void aKeyThatIsNotTheLeafsIsRefused() throws Exception {
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, "app.example.com");
        TestCertificates.Issued other = TestCertificates.leaf(ca, "app.example.com");

        HttpResponse<String> r = importCert("app.example.com", leaf.certificatePem(), other.keyPem());

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("private key does not match the certificate");
        assertThat(f.store.certificates().list()).isEmpty();
    }

    @Test
    void aChainOutOfOrderIsRefused() throws Exception {
        TestCertificates.Issued leaf = TestCertificates.leaf(intermediate, "app.example.com");

        HttpResponse<String> reversed = importCert("app.example.com", intermediate.certificatePem() + leaf.certificatePem(), leaf.keyPem());
        HttpResponse<String> wrongIssuer = importCert("app.example.com", leaf.certificatePem() + ca.certificatePem(), leaf.keyPem());

        assertThat(reversed.statusCode()).isEqualTo(400);
        assertThat(reversed.body()).contains("chain is not in order");
        assertThat(wrongIssuer.statusCode()).isEqualTo(400);
        assertThat(wrongIssuer.body()).contains("certificate 1").contains("is not signed by certificate 2");
    }

    @Test
    void anExpiredCertificateIsRefusedAndOneExpiringSoonIsWarnedAbout() throws Exception {
        Instant now = Instant.now();
        TestCertificates.Issued expired = TestCertificates.leaf(ca, now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(1)), "app.example.com");
        TestCertificates.Issued soon = TestCertificates.leaf(ca, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)), "app.example.com");

        HttpResponse<String> refused = importCert("app.example.com", expired.certificatePem(), expired.keyPem());
        HttpResponse<String> warned = importCert("app.example.com", soon.certificatePem(), soon.keyPem());

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("expired on");
        assertThat(warned.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readValue(warned.body(), CertificateImported.class).warnings())
                .singleElement().asString().contains("expires in").contains("days");
    }

    @Test
    void aHostTheCertificateDoesNotNameIsRefusedAndAWildcardCoversOneLabel() throws Exception {
        TestCertificates.Issued wildcard = TestCertificates.leaf(ca, "*.example.com");

        HttpResponse<String> other = importCert("app.example.org", wildcard.certificatePem(), wildcard.keyPem());
        HttpResponse<String> twoLabels = importCert("a.b.example.com", wildcard.certificatePem(), wildcard.keyPem());
        HttpResponse<String> covered = importCert("app.example.com", wildcard.certificatePem(), wildcard.keyPem());
        HttpResponse<String> asWildcard = importCert("*.example.com", wildcard.certificatePem(), wildcard.keyPem());

        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(other.body()).contains("does not cover app.example.org").contains("*.example.com");
        assertThat(twoLabels.statusCode()).isEqualTo(400);
        assertThat(covered.statusCode()).as(covered.body()).isEqualTo(200);
        assertThat(asWildcard.statusCode()).as(asWildcard.body()).isEqualTo(200);
    }

    @Test
    void garbageIsRefusedWithWhatWasExpected() throws Exception {
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, "app.example.com");

        HttpResponse<String> notPem = importCert("app.example.com", "hello", leaf.keyPem());
        HttpResponse<String> noKey = importCert("app.example.com", leaf.certificatePem(), "-----BEGIN NOTHING-----\n");
        HttpResponse<String> badHost = importCert("bad_host!", leaf.certificatePem(), leaf.keyPem());

        assertThat(notPem.body()).contains("not PEM");
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(badHost.body()).contains("is not a DNS name");
    }

    @Test
    void aCertificateCanBeRemoved() throws Exception {
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, "app.example.com");
        importCert("app.example.com", leaf.certificatePem(), leaf.keyPem());

        assertThat(f.call("DELETE", "/v1/certs/app.example.com", null).statusCode()).isEqualTo(204);
        assertThat(f.call("DELETE", "/v1/certs/app.example.com", null).statusCode()).isEqualTo(404);
        assertThat(f.store.certificates().list()).isEmpty();
    }

    private static String keyBase64(HttpResponse<String> pem) throws Exception {
        String key = Json.mapper().readValue(pem.body(), EdgeCertificates.class).certificates().get(0).key();
        return key.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replace("\n", "");
    }

    private static List<java.security.cert.Certificate> parse(String pem) throws Exception {
        return List.copyOf(java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
    }
}
