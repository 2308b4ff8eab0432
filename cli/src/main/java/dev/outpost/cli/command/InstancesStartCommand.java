package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost instances start ID}. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start a stopped instance again (its container was kept, so it starts fast).")
public final class InstancesStartCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The instance (outpost instances list shows them).")
    String id;

    public InstancesStartCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        return InstancesCommand.act(env, spec, id, "start");
    }
}
