package dev.outpost.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost webhooks}: the parent of {@code add}, {@code list}, {@code remove} and {@code deliveries}. */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "Send events (budget, deploy, instance, scale) as signed JSON to your URLs.")
public final class WebhooksCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: use `outpost webhooks add URL --events budget,deploy`,"
                + " `list`, `remove ID` or `deliveries`");
    }
}
