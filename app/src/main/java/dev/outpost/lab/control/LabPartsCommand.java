package dev.outpost.lab.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.Environment;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost lab parts [--json]}: each part of the running {@code outpost dev} and whether it runs. */
@Command(name = "parts", mixinStandardHelpOptions = true,
        description = "List the parts of the running outpost dev (server, agents, proxies) and whether each runs.")
public final class LabPartsCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the parts as JSON.")
    boolean json;

    public LabPartsCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        JsonNode parts = LabControlClient.open(env).call("GET", "/parts");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, parts);
        } else {
            Table table = new Table("part", "state");
            for (JsonNode p : parts.path("parts")) {
                table.row(p.path("part").asText(), p.path("running").asBoolean() ? "running" : "stopped");
            }
            table.print(out);
        }
        out.flush();
        return 0;
    }
}
