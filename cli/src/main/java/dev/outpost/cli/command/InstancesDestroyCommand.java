package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost instances destroy ID --yes}: without {@code --yes} it refuses (exit 2). */
@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = "Destroy an instance; a fresh one replaces it when its region falls below its count.")
public final class InstancesDestroyCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The instance (outpost instances list shows them).")
    String id;

    @Option(names = "--yes", description = "Confirm: its container and its output go for good.")
    boolean yes;

    public InstancesDestroyCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (!yes) {
            throw new ParameterException(spec.commandLine(), "refusing to destroy instance " + id
                    + " without confirmation: its container and its output go for good; add --yes to destroy it");
        }
        return InstancesCommand.act(env, spec, id, "destroy");
    }
}
