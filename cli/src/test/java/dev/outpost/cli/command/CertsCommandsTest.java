package dev.outpost.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.cli.Environment;
import dev.outpost.cli.testing.CliRunner;
import dev.outpost.cli.testing.CliRunner.Result;
import dev.outpost.cli.testing.FakeCerts;
import dev.outpost.cli.testing.FakeOutpostApi;
import dev.outpost.core.Json;
import dev.outpost.core.api.CertificateInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandsTest {
    private static final String CHAIN = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    @TempDir
    Path home;
    @TempDir
    Path dir;
    private FakeOutpostApi fake;
    private FakeCerts certs;
    private Environment env;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOutpostApi();
        certs = new FakeCerts(fake);
        fake.add(certs);
        env = CliRunner.environment(fake, home, dir);
        Files.writeString(dir.resolve("cert.pem"), CHAIN);
        Files.writeString(dir.resolve("key.pem"), KEY);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void importSendsTheFilesAndSaysUntilWhenTheCertificateIsValid() {
        Result r = CliRunner.run(env, "certs", "import", "app.example.com", "--cert", dir.resolve("cert.pem").toString(),
                "--key", dir.resolve("key.pem").toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(certs.imported().get("app.example.com").chain()).isEqualTo(CHAIN);
        assertThat(certs.imported().get("app.example.com").key()).isEqualTo(KEY);
        assertThat(r.out()).contains("imported certificate for app.example.com").contains("2027-01-01").doesNotContain("PRIVATE KEY");
    }

    @Test
    void importPrintsTheServersWarnings() {
        Result r = CliRunner.run(env, "certs", "import", "soon.example.com", "--cert", dir.resolve("cert.pem").toString(),
                "--key", dir.resolve("key.pem").toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("warning: the certificate of soon.example.com expires in 12 days");
    }

    @Test
    void importFailsWithTheServersReason() throws Exception {
        Files.writeString(dir.resolve("other.pem"), "-----BEGIN PRIVATE KEY-----\nMISMATCH\n-----END PRIVATE KEY-----\n");

        Result r = CliRunner.run(env, "certs", "import", "app.example.com", "--cert", dir.resolve("cert.pem").toString(),
                "--key", dir.resolve("other.pem").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("the private key does not match the certificate");
        assertThat(certs.imported()).isEmpty();
    }

    @Test
    void importRefusesAMissingFileBeforeCallingTheServer() {
        Result r = CliRunner.run(env, "certs", "import", "app.example.com", "--cert", dir.resolve("nope.pem").toString(),
                "--key", dir.resolve("key.pem").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--cert").contains("nope.pem does not exist");
        assertThat(fake.requests("PUT", "/v1/certs")).isEmpty();
    }

    @Test
    void listPrintsATableOrJson() throws Exception {
        CliRunner.run(env, "certs", "import", "app.example.com", "--cert", dir.resolve("cert.pem").toString(),
                "--key", dir.resolve("key.pem").toString());

        Result table = CliRunner.run(env, "certs", "list");
        Result json = CliRunner.run(env, "certs", "list", "--json");

        assertThat(table.exit()).as(table.toString()).isZero();
        assertThat(table.out()).contains("HOST").contains("EXPIRES").contains("app.example.com").contains("CN=Test CA");
        List<CertificateInfo> parsed = Json.mapper().readValue(json.out(),
                Json.mapper().getTypeFactory().constructCollectionType(List.class, CertificateInfo.class));
        assertThat(parsed).extracting(CertificateInfo::host).containsExactly("app.example.com");
    }

    @Test
    void listWithNothingImportedSaysHowToImport() {
        Result r = CliRunner.run(env, "certs", "list");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("No certificates imported").contains("outpost certs import");
    }
}
