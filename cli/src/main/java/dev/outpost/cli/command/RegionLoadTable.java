package dev.outpost.cli.command;

import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.AppLoadStatus;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The per-region part of {@code outpost status}: desired count with its range, instances running, and the
 * demand the region's edges last reported (requests per second arriving, of which served elsewhere and
 * unserved, and open connections).
 */
final class RegionLoadTable {
    private RegionLoadTable() {}

    /** The app's load view; null from a server without {@code /load} (older than the autoscaler). */
    static AppLoadStatus fetch(ApiClient api, String app) throws ApiException {
        try {
            return api.load(app);
        } catch (ApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    static void print(PrintWriter out, AppLoadStatus load) {
        if (load == null || load.regions().isEmpty()) {
            return;
        }
        Table table = new Table("region", "desired", "running", "req/s", "remote/s", "unserved/s", "connections");
        for (AppLoadStatus.RegionLoad r : load.regions()) {
            String range = r.min() == null ? "" : r.min().equals(r.max()) ? "" : " (" + r.min() + "–" + r.max() + ")";
            boolean reported = r.reportedAt() != null;
            table.row(r.region(), r.desired() + range, r.running(), reported ? rate(r.requestsPerSecond()) : "-",
                    reported ? rate(r.remotePerSecond()) : "-", reported ? rate(r.unservedPerSecond()) : "-",
                    reported ? Long.toString(r.connections()) : "-");
        }
        out.println(load.autoscaled() ? "Regions (autoscaled)" : "Regions");
        table.print(out);
        out.println();
    }

    private static String rate(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
