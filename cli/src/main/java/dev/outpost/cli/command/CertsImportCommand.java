package dev.outpost.cli.command;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.core.api.CertificateImported;
import dev.outpost.core.api.ImportCertificateRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code outpost certs import HOST --cert FILE --key FILE}: sends a PEM chain (leaf first) and its
 * key; the server refuses it, saying why, unless the key matches, the chain is in order, it is in
 * date and it covers HOST. Warnings (expiring within 30 days) are printed to stderr.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a TLS certificate for HOST (e.g. app.example.com or *.example.com); every edge serves it at once.")
public final class CertsImportCommand implements Callable<Integer> {
    /** PEM files are small; a larger file is a mistake (a bundle, a binary), refused before reading it all. */
    static final long MAX_PEM_BYTES = 1024 * 1024;

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host name the certificate is for.")
    String host;

    @Option(names = "--cert", required = true, paramLabel = "FILE", description = "PEM certificate chain, leaf first.")
    Path cert;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "PEM private key of the leaf (not encrypted).")
    Path key;

    public CertsImportCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        ImportCertificateRequest request = new ImportCertificateRequest(read(cert, "--cert"), read(key, "--key"));
        CertificateImported imported;
        try (ApiClient api = env.client()) {
            imported = api.importCertificate(host, request);
        }
        PrintWriter err = spec.commandLine().getErr();
        imported.warnings().forEach(w -> err.println("warning: " + w));
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.println("imported certificate for " + imported.certificate().host() + " (" + String.join(", ", imported.certificate().names())
                + "), valid until " + Cells.instant(imported.certificate().notAfter()) + "; edges serve it for new connections now");
        out.flush();
        return 0;
    }

    private static String read(Path file, String option) throws CliException {
        try {
            long size = Files.size(file);
            if (size > MAX_PEM_BYTES) {
                throw new CliException(option + " " + file + " is " + size + " bytes: a PEM file is expected (at most 1 MiB)");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliException(option + " " + file + " does not exist");
        } catch (IOException e) {
            throw new CliException("cannot read " + option + " " + file + ": " + e.getMessage(), e);
        }
    }
}
