package dev.outpost.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost scale}: the group of {@code count}. */
@Command(name = "scale", mixinStandardHelpOptions = true, description = "Change how many instances run.")
public final class ScaleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use `outpost scale count N [--region R]`");
    }
}
