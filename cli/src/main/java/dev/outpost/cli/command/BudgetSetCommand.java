package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.api.BudgetReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost budget set APP USD}: the app's monthly budget. It replaces whatever was set before,
 * here or by a deploy's {@code [budget] monthly_usd} (the latest write wins); raised above this
 * month's spend, a suspended app runs again at once.
 */
@Command(name = "set", mixinStandardHelpOptions = true, description = "Set the app's monthly budget in USD.")
public final class BudgetSetCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "APP", description = "The app.")
    String app;

    @Parameters(index = "1", paramLabel = "USD", description = "The monthly budget in US dollars, e.g. 5 or 12.50.")
    String usd;

    @Option(names = "--json", description = "Print the budget as JSON.")
    boolean json;

    public BudgetSetCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        double amount = parse(usd);
        BudgetReport report;
        try (ApiClient api = env.client()) {
            report = api.setBudget(app, amount);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, report);
            return 0;
        }
        out.println("monthly budget of " + app + " is " + BudgetShowCommand.usd(amount) + "; spent " + BudgetShowCommand.usd(report.spentUsd())
                + " in " + report.month() + (report.suspended() == null ? "" : "; suspended: " + report.suspended()));
        out.flush();
        return 0;
    }

    private double parse(String text) {
        double amount;
        try {
            amount = Double.parseDouble(text.startsWith("$") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "budget \"" + text + "\" is not a number of US dollars (e.g. 5 or 12.50)");
        }
        if (!(amount >= 0) || Double.isInfinite(amount)) {
            throw new ParameterException(spec.commandLine(), "budget " + text + " must be 0 or more US dollars");
        }
        return amount;
    }
}
