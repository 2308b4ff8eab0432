package dev.outpost.lab.control;

import dev.outpost.cli.Environment;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost lab stop|start server|agent R|proxy R}: fails or restores one part of the running
 * {@code outpost dev}. Stopping an agent is a crash (its instances run on), a proxy closes its
 * listeners, the server closes its API. Exits 0 when done, 1 when it could not be done (or outpost
 * dev does not run), 2 for an unknown part or region, 3 when the part already was stopped/running.
 */
@Command(mixinStandardHelpOptions = true)
public final class LabPartCommand implements Callable<Integer> {
    private static final List<String> KINDS = List.of("server", "agent", "proxy");

    private final Environment env;
    private final String action;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "server|agent|proxy", description = "The kind of part.")
    String kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REGION", description = "The region of an agent or a proxy.")
    String region;

    private LabPartCommand(Environment env, String action) {
        this.env = env;
        this.action = action;
    }

    /** {@code outpost lab stop}. */
    public static picocli.CommandLine stop(Environment env) {
        return command(env, "stop", "Stop a part of the running outpost dev: the server (its API closes), "
                + "an agent (a crash: its instances run on) or a proxy (its listeners close).");
    }

    /** {@code outpost lab start}. */
    public static picocli.CommandLine start(Environment env) {
        return command(env, "start", "Start again a part of the running outpost dev that `outpost lab stop` stopped.");
    }

    private static picocli.CommandLine command(Environment env, String action, String description) {
        picocli.CommandLine cli = new picocli.CommandLine(new LabPartCommand(env, action));
        cli.setCommandName(action);
        cli.getCommandSpec().usageMessage().description(description);
        return cli;
    }

    @Override
    public Integer call() throws Exception {
        if (!KINDS.contains(kind)) {
            throw new ParameterException(spec.commandLine(), "unknown part " + kind + ": use server, agent REGION or proxy REGION");
        }
        if (kind.equals("server") && region != null) {
            throw new ParameterException(spec.commandLine(), "the server has no region: use `outpost lab " + action + " server`");
        }
        if (!kind.equals("server") && region == null) {
            throw new ParameterException(spec.commandLine(), kind + " needs a region, e.g. `outpost lab " + action + " " + kind + " iad`");
        }
        String path = "/parts/" + kind + (region == null ? "" : "/" + region) + "/" + action;
        LabControlClient.open(env).call("POST", path);
        PrintWriter out = spec.commandLine().getOut();
        out.println((region == null ? kind : kind + " " + region) + (action.equals("stop") ? " stopped" : " started"));
        out.flush();
        return 0;
    }
}
