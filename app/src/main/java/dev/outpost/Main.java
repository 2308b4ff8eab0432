package dev.outpost;

import dev.outpost.cli.Environment;
import dev.outpost.cli.OutpostCommand;
import dev.outpost.lab.user.LabCommand;
import picocli.CommandLine;

/** The single entry point of the {@code outpost} jar. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Netty samples 1 in 128 buffers for leak tracking by default, ~3% of the edge's CPU per
        // request on bench/proxy. The tests run it at paranoid and fail on any leak; a running
        // platform tracks nothing unless asked: OUTPOST_JAVA_OPTS=-Dio.netty.leakDetection.level=simple.
        if (System.getProperty("io.netty.leakDetection.level") == null && System.getProperty("io.netty.leakDetectionLevel") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
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
