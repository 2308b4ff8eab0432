package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.model.App;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost apps list}: every app with its primary region, serving release and scale. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the apps.")
public final class AppsListCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the apps as JSON.")
    boolean json;

    public AppsListCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<App> apps;
        try (ApiClient api = env.client()) {
            apps = api.apps();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, apps);
            return 0;
        }
        if (apps.isEmpty()) {
            out.println("No apps yet: run `outpost launch` in an app's directory.");
            out.flush();
            return 0;
        }
        Table table = new Table("name", "primary", "current", "scale", "created");
        apps.stream().sorted(Comparator.comparing(App::name)).forEach(a -> table.row(a.name(), a.primaryRegion(),
                a.currentRelease() == null ? null : "v" + a.currentRelease(), Cells.scale(a.scale()), Cells.instant(a.createdAt())));
        table.print(out);
        return 0;
    }
}
