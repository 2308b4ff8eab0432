package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.EdgeList;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.core.api.RegionRtt;
import dev.outpost.core.model.Host;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code outpost regions}: the regions with their hosts, and the round trips (ms) the edges measured
 * from each region to the others. A region with several edges shows its nearest reachable one.
 */
@Command(name = "regions", mixinStandardHelpOptions = true,
        description = "List the regions with their hosts, and the RTT matrix the edges measured.")
public final class RegionsCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print regions, edges and the RTT matrix as JSON.")
    boolean json;

    /** What {@code --json} prints: {@code matrix} is from-region → to-region → measurement. */
    public record RegionsView(List<RegionInfo> regions, List<EdgeInfo> edges, Map<String, Map<String, RegionRtt>> matrix) {}

    public RegionsCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<RegionInfo> regions;
        EdgeList edges;
        try (ApiClient api = env.client()) {
            regions = api.regions();
            edges = api.edges();
        }
        Map<String, Map<String, RegionRtt>> matrix = matrix(edges.edges());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, new RegionsView(regions, edges.edges(), matrix));
            return 0;
        }
        Table table = new Table("region", "name", "hosts");
        for (RegionInfo r : regions) {
            table.row(r.code(), r.name(), r.hosts().isEmpty() ? null
                    : r.hosts().stream().map(RegionsCommand::host).collect(Collectors.joining(", ")));
        }
        table.print(out);
        out.println();
        if (matrix.isEmpty()) {
            out.println("No RTT measured yet: edges probe their peers every 2 s and report every 10 s.");
            out.flush();
            return 0;
        }
        // Columns and rows in the server's region order; regions only an edge knows of come after, by name.
        List<String> columns = new ArrayList<>(regions.stream().map(RegionInfo::code).toList());
        matrix.keySet().stream().filter(c -> !columns.contains(c)).forEach(columns::add);
        matrix.values().forEach(row -> row.keySet().stream().filter(c -> !columns.contains(c)).sorted().forEach(columns::add));
        List<String> headers = new ArrayList<>();
        headers.add("from \\ to (ms)");
        headers.addAll(columns);
        Table rtt = new Table(headers.toArray(String[]::new));
        List<String> rows = new ArrayList<>(columns.stream().filter(matrix::containsKey).toList());
        matrix.keySet().stream().filter(r -> !rows.contains(r)).forEach(rows::add);
        for (String from : rows) {
            Map<String, RegionRtt> row = matrix.get(from);
            List<Object> cells = new ArrayList<>();
            cells.add(from);
            for (String to : columns) {
                RegionRtt m = row.get(to);
                cells.add(to.equals(from) ? "." : m == null ? null : m.reachable() ? millis(m.millis()) : "unreachable");
            }
            rtt.row(cells.toArray());
        }
        out.println("Round trips measured by each region's edge (\"-\": not measured yet):");
        rtt.print(out);
        out.flush();
        return 0;
    }

    /** Per region of an edge, per region it measured: its edges' nearest reachable measurement, else an unreachable one. */
    static Map<String, Map<String, RegionRtt>> matrix(List<EdgeInfo> edges) {
        Map<String, Map<String, RegionRtt>> matrix = new TreeMap<>();
        for (EdgeInfo e : edges) {
            Map<String, RegionRtt> row = matrix.computeIfAbsent(e.region(), r -> new LinkedHashMap<>());
            e.rtt().forEach((to, m) -> row.merge(to, m, (a, b) -> List.of(a, b).stream()
                    .min(Comparator.comparing((RegionRtt x) -> !x.reachable()).thenComparingDouble(RegionRtt::millis)).orElseThrow()));
        }
        matrix.replaceAll((from, row) -> new TreeMap<>(row));
        return matrix;
    }

    private static String millis(double ms) {
        return ms < 10 ? String.format(Locale.ROOT, "%.1f", ms) : Long.toString(Math.round(ms));
    }

    private static String host(Host h) {
        return h.id() + " (" + h.address() + ")";
    }
}
