package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost instances stop ID}. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop an instance; it keeps its place, so nothing replaces it.")
public final class InstancesStopCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The instance (outpost instances list shows them).")
    String id;

    public InstancesStopCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        return InstancesCommand.act(env, spec, id, "stop");
    }
}
