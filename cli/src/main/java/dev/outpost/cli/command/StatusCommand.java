package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.ShortDigest;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.AppLoadStatus;
import dev.outpost.core.api.AppStatus;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost status}: the app, its serving and deploying releases, and its instances. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the app's releases and instances.")
public final class StatusCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    public StatusCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.app(env);
        AppStatus status;
        AppLoadStatus load;
        try (ApiClient api = env.client()) {
            status = api.status(app);
            load = json ? null : RegionLoadTable.fetch(api, app);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, status);
            return 0;
        }
        out.println("App        " + status.app().name() + (status.app().primaryRegion() == null ? "" : " (primary region " + status.app().primaryRegion() + ")"));
        out.println("Current    " + describe(status.current()));
        out.println("Deploying  " + describe(status.deploying()));
        String scale = Cells.scale(status.app().scale());
        out.println("Scale      " + (scale == null ? "none" : scale));
        out.println();
        RegionLoadTable.print(out, load);
        List<Instance> instances = status.instances() == null ? List.of() : status.instances().stream()
                .sorted(Comparator.comparing(Instance::region).thenComparing(Instance::release, Comparator.reverseOrder())
                        .thenComparing(Instance::id))
                .toList();
        if (instances.isEmpty()) {
            out.println("No instances.");
        } else {
            Table table = new Table("id", "region", "release", "state", "health", "address", "restarts");
            for (Instance i : instances) {
                String address = i.address() == null ? null : i.address() + (i.port() == null ? "" : ":" + i.port());
                table.row(i.id(), i.region(), "v" + i.release(), i.state() == null ? null : i.state().wire(),
                        i.health() == null ? null : i.health().wire(), address, i.restarts());
            }
            table.print(out);
        }
        out.flush();
        return 0;
    }

    private static String describe(Release r) {
        if (r == null) {
            return "-";
        }
        return "v" + r.version() + "  " + r.status().wire() + "  " + ShortDigest.of(r.artifactDigest())
                + (r.createdAt() == null ? "" : "  " + Cells.instant(r.createdAt()));
    }
}
