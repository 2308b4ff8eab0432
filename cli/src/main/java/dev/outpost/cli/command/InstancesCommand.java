package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.core.api.InstanceAction;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost instances}: the group of {@code list}, {@code start}, {@code stop}, {@code restart} and {@code destroy}. */
@Command(name = "instances", mixinStandardHelpOptions = true,
        description = "List instances, or start, stop, restart or destroy one.")
public final class InstancesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand: use `outpost instances list`, or `outpost instances start|stop|restart|destroy ID`");
    }

    /** Asks the server for {@code action} on instance {@code id} and prints what happens next. */
    static int act(Environment env, CommandSpec spec, String id, String action) throws Exception {
        InstanceAction done;
        try (ApiClient api = env.client()) {
            done = api.instanceAction(id, action);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(done.message());
        out.flush();
        return 0;
    }
}
