package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.SecretInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost secrets list}: names, value digests and update times — never values. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the app's secrets: names, digests of their values, update times.")
public final class SecretsListCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--json", description = "Print the secrets as JSON.")
    boolean json;

    public SecretsListCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.app(env);
        List<SecretInfo> secrets;
        try (ApiClient api = env.client()) {
            secrets = api.secrets(app);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, secrets);
            return 0;
        }
        if (secrets.isEmpty()) {
            out.println("No secrets on " + app + ": set one with `outpost secrets set NAME=VALUE`.");
            out.flush();
            return 0;
        }
        Table table = new Table("name", "digest", "updated");
        secrets.forEach(s -> table.row(s.name(), s.digest(), Cells.instant(s.updatedAt())));
        table.print(out);
        return 0;
    }
}
