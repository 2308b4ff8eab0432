package dev.outpost.cli.deploy;

import dev.outpost.core.api.AppStatus;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Per-region progress of one release, e.g. {@code iad  1/2 healthy}. On a terminal the block of
 * lines is redrawn in place; otherwise a region's line is printed again only when it changes, so
 * logs and CI output stay readable.
 */
public final class DeployProgress {
    private final PrintWriter out;
    private final boolean redraw;
    private final Map<String, String> shown = new TreeMap<>();
    private int drawnLines;

    public DeployProgress(PrintWriter out, boolean redraw) {
        this.out = out;
        this.redraw = redraw;
    }

    /** The progress lines for {@code release} in {@code status}, one per region, sorted by region. */
    public static List<String> lines(AppStatus status, int release) {
        Map<String, Integer> desired = status.app() == null ? Map.of() : status.app().scale();
        Map<String, List<Instance>> byRegion = new TreeMap<>();
        TreeSet<String> regions = new TreeSet<>();
        desired.forEach((region, count) -> {
            if (count > 0) {
                regions.add(region);
            }
        });
        for (Instance i : status.instances() == null ? List.<Instance>of() : status.instances()) {
            if (i.release() == release) {
                regions.add(i.region());
                byRegion.computeIfAbsent(i.region(), r -> new ArrayList<>()).add(i);
            }
        }
        List<String> lines = new ArrayList<>();
        for (String region : regions) {
            List<Instance> mine = byRegion.getOrDefault(region, List.of());
            long healthy = mine.stream().filter(i -> i.state() == InstanceState.STARTED && i.health() == Health.PASSING).count();
            long failing = mine.stream().filter(i -> i.state() == InstanceState.FAILED || i.health() == Health.FAILING).count();
            long starting = mine.stream().filter(i -> i.state() == InstanceState.CREATED || i.state() == InstanceState.STARTING
                    || (i.state() == InstanceState.STARTED && i.health() == Health.UNKNOWN)).count();
            int want = desired.getOrDefault(region, mine.size());
            StringBuilder line = new StringBuilder(String.format("%-5s %d/%d healthy", region, healthy, want));
            if (starting > 0) {
                line.append(", ").append(starting).append(" starting");
            }
            if (failing > 0) {
                line.append(", ").append(failing).append(" failing");
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** Shows the progress in {@code status}. */
    public void update(AppStatus status, int release) {
        List<String> lines = lines(status, release);
        if (redraw) {
            StringBuilder b = new StringBuilder();
            if (drawnLines > 0) {
                b.append("\u001b[").append(drawnLines).append('A');
            }
            for (String line : lines) {
                b.append("\r\u001b[2K").append(line).append('\n');
            }
            // a region that disappeared leaves its old line: clear it
            for (int i = lines.size(); i < drawnLines; i++) {
                b.append("\r\u001b[2K\n");
            }
            out.print(b);
            drawnLines = Math.max(lines.size(), drawnLines);
        } else {
            for (String line : lines) {
                String region = line.substring(0, line.indexOf(' '));
                if (!line.equals(shown.put(region, line))) {
                    out.println(line);
                }
            }
        }
        out.flush();
    }
}
