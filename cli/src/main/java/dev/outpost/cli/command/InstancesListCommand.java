package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.model.Instance;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code outpost instances list}: the instances of {@code --app}, else of the app of {@code
 * outpost.toml} in the directory, else of every app; those being destroyed are left out.
 */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List instances with what they should be and what they are.")
public final class InstancesListCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--json", description = "Print the instances as JSON.")
    boolean json;

    public InstancesListCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.explicitApp();
        if (app == null && Files.isRegularFile(target.toml(env))) {
            app = target.app(env);
        }
        List<Instance> instances;
        try (ApiClient api = env.client()) {
            instances = api.allInstances(app);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, instances);
            return 0;
        }
        if (instances.isEmpty()) {
            out.println(app == null ? "No instances." : "No instances of " + app + ".");
            out.flush();
            return 0;
        }
        Table table = new Table("id", "app", "region", "release", "desired", "state", "health", "address", "restarts");
        for (Instance i : instances) {
            String address = i.address() == null ? null : i.address() + (i.port() == null ? "" : ":" + i.port());
            table.row(i.id(), i.app(), i.region(), "v" + i.release(), i.desired() == null ? null : i.desired().wire(),
                    i.state() == null ? null : i.state().wire(), i.health() == null ? null : i.health().wire(), address, i.restarts());
        }
        table.print(out);
        return 0;
    }
}
