package dev.outpost.cli;

import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.bundle.BundleException;
import dev.outpost.cli.command.AppsCommand;
import dev.outpost.cli.command.AppsDestroyCommand;
import dev.outpost.cli.command.AppsListCommand;
import dev.outpost.cli.command.DeployCommand;
import dev.outpost.cli.command.LaunchCommand;
import dev.outpost.cli.command.ReleasesCommand;
import dev.outpost.cli.command.ScaleCommand;
import dev.outpost.cli.command.ScaleCountCommand;
import dev.outpost.cli.command.StatusCommand;
import dev.outpost.cli.context.ContextException;
import dev.outpost.cli.deploy.DeployException;
import dev.outpost.core.config.ConfigException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The top-level {@code outpost} command. {@link #commandLine()} builds it with the CLI's
 * subcommands and exit codes: 0 done, 1 a failure the user can act on (printed as one line, no
 * stack trace), 2 wrong usage. Other modules add theirs with {@code addSubcommand} before
 * {@code execute(args)}.
 */
@Command(name = "outpost", mixinStandardHelpOptions = true, versionProvider = OutpostVersion.class,
        description = "Run Docker apps close to their users.",
        footer = {"", "Start with `outpost dev`, then `outpost launch` in your app's directory."})
public final class OutpostCommand implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILURE = CliException.FAILURE;
    public static final int USAGE = CliException.USAGE;
    private static final Logger LOG = LoggerFactory.getLogger(OutpostCommand.class);

    @Spec
    CommandSpec spec;

    /** The command line for this process's environment. */
    public static CommandLine commandLine() {
        return commandLine(Environment.system());
    }

    /** The command line for {@code env}: its variables, directories and terminal. */
    public static CommandLine commandLine(Environment env) {
        CommandLine cli = new CommandLine(new OutpostCommand());
        cli.addSubcommand(new LaunchCommand(env));
        cli.addSubcommand(new DeployCommand(env));
        cli.addSubcommand(new StatusCommand(env));
        cli.addSubcommand(new CommandLine(new ScaleCommand())
                .addSubcommand(new ScaleCountCommand(env)));
        cli.addSubcommand(new CommandLine(new AppsCommand())
                .addSubcommand(new AppsListCommand(env))
                .addSubcommand(new AppsDestroyCommand(env)));
        cli.addSubcommand(new ReleasesCommand(env));
        cli.addSubcommand(new CommandLine(new dev.outpost.cli.command.SecretsCommand())
                .addSubcommand(new dev.outpost.cli.command.SecretsSetCommand(env))
                .addSubcommand(new dev.outpost.cli.command.SecretsUnsetCommand(env))
                .addSubcommand(new dev.outpost.cli.command.SecretsListCommand(env)));
        cli.addSubcommand(new CommandLine(new dev.outpost.cli.command.CertsCommand())
                .addSubcommand(new dev.outpost.cli.command.CertsImportCommand(env))
                .addSubcommand(new dev.outpost.cli.command.CertsListCommand(env)));
        cli.addSubcommand(new dev.outpost.cli.command.RollbackCommand(env));
        cli.addSubcommand(new dev.outpost.cli.command.PromoteCommand(env));
        cli.addSubcommand(new CommandLine(new dev.outpost.cli.command.InstancesCommand())
                .addSubcommand(new dev.outpost.cli.command.InstancesListCommand(env))
                .addSubcommand(new dev.outpost.cli.command.InstancesStartCommand(env))
                .addSubcommand(new dev.outpost.cli.command.InstancesStopCommand(env))
                .addSubcommand(new dev.outpost.cli.command.InstancesRestartCommand(env))
                .addSubcommand(new dev.outpost.cli.command.InstancesDestroyCommand(env)));
        cli.addSubcommand(new dev.outpost.cli.command.LogsCommand(env));
        cli.addSubcommand(new dev.outpost.cli.command.RegionsCommand(env));
        cli.addSubcommand(new dev.outpost.cli.command.IpsCommand(env));
        cli.addSubcommand(new dev.outpost.cli.command.EventsCommand(env));
        cli.addSubcommand(new CommandLine(new dev.outpost.cli.command.BudgetCommand())
                .addSubcommand(new dev.outpost.cli.command.BudgetSetCommand(env))
                .addSubcommand(new dev.outpost.cli.command.BudgetShowCommand(env)));
        cli.addSubcommand(new CommandLine(new dev.outpost.cli.command.WebhooksCommand())
                .addSubcommand(new dev.outpost.cli.command.WebhooksAddCommand(env))
                .addSubcommand(new dev.outpost.cli.command.WebhooksListCommand(env))
                .addSubcommand(new dev.outpost.cli.command.WebhooksRemoveCommand(env))
                .addSubcommand(new dev.outpost.cli.command.WebhooksDeliveriesCommand(env)));
        cli.setParameterExceptionHandler(new UsageHandler());
        cli.setExecutionExceptionHandler(new FailureHandler());
        return cli;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** Wrong usage: say what was wrong and where help is, exit 2. */
    static final class UsageHandler implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("error: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run `" + cmd.getCommandSpec().qualifiedName() + " --help` for usage.");
            err.flush();
            return USAGE;
        }
    }

    /** A command failed: one line for the user, exit 1 (or the code a {@link CliException} carries). */
    static final class FailureHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
            PrintWriter err = cmd.getErr();
            String message = switch (ex) {
                case CliException e -> e.getMessage();
                case ApiException e -> e.getMessage();
                case ConfigException e -> e.getMessage();
                case ContextException e -> e.getMessage();
                case BundleException e -> e.getMessage();
                case DeployException e -> e.getMessage();
                default -> {
                    // not a failure we anticipated: keep the trace for --debug logging, show the user one line
                    LOG.debug("{} failed", cmd.getCommandSpec().qualifiedName(), ex);
                    yield ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
                }
            };
            err.println("error: " + message);
            err.flush();
            return ex instanceof CliException e ? e.exitCode() : FAILURE;
        }
    }
}
