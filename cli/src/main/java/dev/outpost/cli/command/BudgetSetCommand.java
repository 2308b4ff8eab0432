package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.api.BudgetReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost budget set [APP] USD}: the app's monthly budget; the app is {@code APP}, else
 * {@code --app}, else the one of {@code outpost.toml} in the working directory (or {@code --dir}). It replaces whatever was set before,
 * here or by a deploy's {@code [budget] monthly_usd} (the latest write wins); raised above this
 * month's spend, a suspended app runs again at once.
 */
@Command(name = "set", mixinStandardHelpOptions = true, description = "Set the app's monthly budget in USD.")
public final class BudgetSetCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Parameters(arity = "1..2", paramLabel = "[APP] USD",
            description = "The monthly budget in US dollars, e.g. 5 or 12.50, after the app if it is named here.")
    List<String> args;

    @Option(names = "--json", description = "Print the budget as JSON.")
    boolean json;

    public BudgetSetCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String usd = args.getLast();
        double amount = parse(usd);
        String app = target.app(env, args.size() == 2 ? args.getFirst() : null);
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
