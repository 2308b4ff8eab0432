package dev.outpost.cli.command;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.model.App;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code outpost scale count N [--region R,…]}: sets the instance count of the named regions, by
 * default of every region the app already runs in; other regions keep theirs.
 */
@Command(name = "count", mixinStandardHelpOptions = true, description = "Set the instance count per region.")
public final class ScaleCountCommand implements Callable<Integer> {
    static final int MAX = dev.outpost.core.config.AppConfig.Scale.MAX_PER_REGION;

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Parameters(index = "0", paramLabel = "N", description = "Instances per region (0-" + dev.outpost.core.config.AppConfig.Scale.MAX_PER_REGION + ").")
    int count;

    @Option(names = "--region", paramLabel = "R", split = ",",
            description = "Regions to scale (default: every region in the app's scale).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--json", description = "Print the app as JSON.")
    boolean json;

    public ScaleCountCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (count < 0 || count > MAX) {
            throw new ParameterException(spec.commandLine(), "N must be 0-" + MAX + ", got " + count);
        }
        String app = target.app(env);
        App scaled;
        try (ApiClient api = env.client()) {
            List<String> named = new ArrayList<>(new LinkedHashSet<>(regions.stream().map(String::trim).filter(r -> !r.isEmpty()).toList()));
            if (named.isEmpty()) {
                named = new ArrayList<>(new TreeMap<>(api.app(app).scale()).keySet());
            }
            if (named.isEmpty()) {
                throw new CliException("app " + app + " runs in no region yet: name regions with --region R[,R…]");
            }
            Map<String, Integer> wanted = new LinkedHashMap<>();
            named.forEach(r -> wanted.put(r, count));
            scaled = api.scale(app, new ScaleRequest(wanted));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, scaled);
            return 0;
        }
        Table table = new Table("region", "count");
        new TreeMap<>(scaled.scale()).forEach(table::row);
        table.print(out);
        return 0;
    }
}
