package dev.outpost.lab.user;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost lab load --from REGION --rate N --duration D [--access 5ms] [--json] URL}: an
 * open-loop load ({@link OpenLoopLoad}) from a user near REGION's edge; prints the answers per
 * status and the latency percentiles, corrected for coordinated omission.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Send HTTP requests at a fixed rate as users near REGION's edge; print status counts and latency percentiles.")
public final class LabLoadCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "REGION", description = "The region whose edge the users are near.")
    String from;

    @Option(names = "--rate", required = true, paramLabel = "N", description = "Requests per second, sent whatever the answers do.")
    int rate;

    @Option(names = "--duration", required = true, paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "How long to send, e.g. 10s.")
    Duration duration;

    @Option(names = "--access", paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "One-way latency between the users and the edge (default: 5ms).")
    Duration access = AccessLink.DEFAULT_ONE_WAY;

    @Option(names = "--max-in-flight", paramLabel = "N", description = "Requests outstanding at most; more wait, and the wait counts as latency (default: 512).")
    int maxInFlight = 512;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "How long one request may take (default: 10s).")
    Duration timeout = Duration.ofSeconds(10);

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Parameters(index = "0", paramLabel = "URL", description = "An http:// URL, e.g. http://hello.outpost.localhost:8080/.")
    String url;

    public LabLoadCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        OpenLoopLoad.allowHostHeader();
        URI target;
        try {
            target = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new CliException("URL " + url + " is not valid: " + e.getMessage(), CliException.USAGE);
        }
        AccessLink.port(target);
        LoadReport report;
        try (ApiClient api = env.client(); AccessLink link = AccessLink.open(api, from, target, access)) {
            OpenLoopLoad load;
            try {
                load = new OpenLoopLoad(target, link.address(), rate, duration, maxInFlight, timeout);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), CliException.USAGE);
            }
            report = load.run(from);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, report);
        } else {
            print(out, report);
        }
        out.flush();
        return report.errors().isEmpty() ? 0 : 1;
    }

    private static void print(PrintWriter out, LoadReport r) {
        out.printf(Locale.ROOT, "%d requests to %s from %s at %d/s for %ss%n%n", r.requests(), r.url(), r.from(), r.rate(),
                stripZero(r.durationSeconds()));
        Table answers = new Table("answer", "count");
        r.statuses().forEach((status, count) -> answers.row(status, count));
        r.errors().forEach((kind, count) -> answers.row(kind, count));
        answers.print(out);
        out.println();
        out.println("Latency from each request's intended send time (ms):");
        Table latency = new Table("p50", "p90", "p99", "max");
        LoadReport.Latency l = r.latencyMs();
        latency.row(ms(l.p50()), ms(l.p90()), ms(l.p99()), ms(l.max()));
        latency.print(out);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String stripZero(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
