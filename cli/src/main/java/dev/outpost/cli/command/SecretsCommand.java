package dev.outpost.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost secrets}: the parent of {@code set}, {@code unset} and {@code list}. */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = "Set, unset or list the app's secrets (encrypted at rest, never shown).")
public final class SecretsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand: use `outpost secrets set K=V…`, `outpost secrets unset K…` or `outpost secrets list`");
    }
}
