package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.ShortDigest;
import dev.outpost.cli.output.Table;
import dev.outpost.core.model.Release;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost releases}: the app's releases, newest first. */
@Command(name = "releases", mixinStandardHelpOptions = true, description = "List the app's releases, newest first.")
public final class ReleasesCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--json", description = "Print the releases as JSON.")
    boolean json;

    public ReleasesCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.app(env);
        List<Release> releases;
        try (ApiClient api = env.client()) {
            releases = api.releases(app);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, releases);
            return 0;
        }
        if (releases.isEmpty()) {
            out.println("No releases of " + app + " yet: run `outpost deploy`.");
            out.flush();
            return 0;
        }
        Table table = new Table("version", "status", "digest", "created", "message");
        for (Release r : releases) {
            String message = r.message();
            if (message == null && r.failure() != null) {
                message = r.failure().reason();
            }
            table.row("v" + r.version(), r.status() == null ? null : r.status().wire(), ShortDigest.of(r.artifactDigest()),
                    Cells.instant(r.createdAt()), message);
        }
        table.print(out);
        return 0;
    }
}
