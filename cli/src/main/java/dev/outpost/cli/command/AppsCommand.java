package dev.outpost.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost apps}: the group of {@code list} and {@code destroy}. */
@Command(name = "apps", mixinStandardHelpOptions = true, description = "List or destroy apps.")
public final class AppsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use `outpost apps list` or `outpost apps destroy NAME --yes`");
    }
}
