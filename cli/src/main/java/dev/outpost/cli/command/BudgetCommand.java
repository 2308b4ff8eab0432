package dev.outpost.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost budget}: the parent of {@code set} and {@code show}. */
@Command(name = "budget", mixinStandardHelpOptions = true,
        description = "Set or show the app's monthly budget: at 100%% the app is suspended until the next month.")
public final class BudgetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use `outpost budget set USD` or `outpost budget show` (the app of outpost.toml here, or --app NAME)");
    }
}
