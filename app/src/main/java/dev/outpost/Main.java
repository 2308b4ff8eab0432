package dev.outpost;

import dev.outpost.cli.Environment;
import dev.outpost.cli.OutpostCommand;
import dev.outpost.lab.user.LabCommand;
import picocli.CommandLine;

/** The single entry point of the {@code outpost} jar. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        CommandLine cli = OutpostCommand.commandLine();
        cli.addSubcommand("dev", new DevCommand());
        cli.addSubcommand("server", new ServerCommand());
        cli.addSubcommand("agent", new AgentCommand());
        cli.addSubcommand("proxy", new ProxyCommand());
        cli.addSubcommand("lab", LabCommand.commandLine(Environment.system()));
        int code = cli.execute(args);
        System.exit(code);
    }
}
