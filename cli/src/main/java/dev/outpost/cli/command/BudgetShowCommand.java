package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.api.BudgetReport;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost budget show [APP]}: budget, spend so far this month, forecast to month end at the
 * current rate, percent used, and whether the app runs or is suspended (and why). The app is
 * {@code APP}, else {@code --app}, else the one of {@code outpost.toml} here.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show the app's budget, spend this month and forecast.")
public final class BudgetShowCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Parameters(arity = "0..1", paramLabel = "APP", description = "The app (default: --app, else the app of outpost.toml).")
    String app;

    @Option(names = "--json", description = "Print the budget as JSON.")
    boolean json;

    public BudgetShowCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        BudgetReport r;
        String name = target.app(env, app);
        try (ApiClient api = env.client()) {
            r = api.budget(name);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, r);
            return 0;
        }
        out.println("app:       " + r.app());
        out.println("month:     " + r.month() + " (UTC)");
        out.println("budget:    " + (r.monthlyUsd() == null ? "none (set one with `outpost budget set USD --app " + r.app() + "`)" : usd(r.monthlyUsd())));
        out.println("spent:     " + usd(r.spentUsd()) + (r.percentUsed() == null ? "" : String.format(Locale.ROOT, " (%.1f %%)", r.percentUsed())));
        out.println("forecast:  " + usd(r.forecastUsd()) + " by month end at the current rate ("
                + String.format(Locale.ROOT, "%s an hour", usd(r.usdPerSecond() * 3600)) + ")");
        out.println("state:     " + (r.suspended() == null ? "running" : "suspended until " + r.resumesAt()));
        if (r.suspended() != null) {
            out.println("suspended: " + r.suspended());
        }
        out.flush();
        return 0;
    }

    static String usd(double amount) {
        return String.format(Locale.ROOT, "$%.2f", amount);
    }
}
