package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.CertificateInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost certs list [--json]}: host, names covered, issuer, expiry — never keys. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List imported TLS certificates: host, names, issuer, expiry.")
public final class CertsListCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the certificates as JSON.")
    boolean json;

    public CertsListCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<CertificateInfo> certs;
        try (ApiClient api = env.client()) {
            certs = api.certificates();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, certs);
            return 0;
        }
        if (certs.isEmpty()) {
            out.println("No certificates imported: edges serve the self-signed default for *.outpost.localhost."
                    + " Import one with `outpost certs import HOST --cert FILE --key FILE`.");
            out.flush();
            return 0;
        }
        Table table = new Table("host", "names", "issuer", "expires", "sha256");
        certs.forEach(c -> table.row(c.host(), String.join(",", c.names()), c.issuer(), Cells.instant(c.notAfter()),
                c.fingerprint().substring(0, Math.min(16, c.fingerprint().length()))));
        table.print(out);
        return 0;
    }
}
