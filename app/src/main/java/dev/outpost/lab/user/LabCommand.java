package dev.outpost.lab.user;

import dev.outpost.cli.Environment;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost lab}: the parent of {@code curl}, {@code load}, {@code stop}, {@code start} and {@code parts}. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Act as a user near a region's edge (curl, load), or fail and restore parts of outpost dev (stop, start, parts).")
public final class LabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** {@code outpost lab} with its subcommands, for {@code Main} to register. */
    public static CommandLine commandLine(Environment env) {
        return new CommandLine(new LabCommand())
                .addSubcommand(LabCurlCommand.commandLine(env))
                .addSubcommand(new LabLoadCommand(env))
                .addSubcommand(dev.outpost.lab.control.LabPartCommand.stop(env))
                .addSubcommand(dev.outpost.lab.control.LabPartCommand.start(env))
                .addSubcommand(new dev.outpost.lab.control.LabPartsCommand(env));
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand: use `outpost lab curl --from REGION URL`, `outpost lab load --from REGION --rate N --duration D URL`, "
                        + "`outpost lab stop|start server|agent R|proxy R` or `outpost lab parts`");
    }
}
