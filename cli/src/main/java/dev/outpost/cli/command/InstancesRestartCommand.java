package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost instances restart ID}. */
@Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart an instance: stop it (draining its requests), then start it again.")
public final class InstancesRestartCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The instance (outpost instances list shows them).")
    String id;

    public InstancesRestartCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        return InstancesCommand.act(env, spec, id, "restart");
    }
}
