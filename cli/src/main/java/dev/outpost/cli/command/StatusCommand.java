package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.ShortDigest;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.AppLoadStatus;
import dev.outpost.core.api.AppStatus;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost status}: the app, its serving and deploying releases, and its instances. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the app's releases and instances.")
public final class StatusCommand implements Callable<Integer> {
    /** How many of the app's latest events the status ends with. */
    static final int RECENT_EVENTS = 5;

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    public StatusCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.app(env);
        AppStatus status;
        dev.outpost.core.api.AppAddresses addresses = null;
        dev.outpost.core.api.EventList events = null;
        String noEvents = null;
        AppLoadStatus load = null;
        try (ApiClient api = env.client()) {
            status = api.status(app);
            if (!json) {
                addresses = addresses(api, app);
                load = RegionLoadTable.fetch(api, app);
                try {
                    events = api.events(app, null, RECENT_EVENTS, 0, null);
                } catch (dev.outpost.cli.api.ApiException e) {
                    noEvents = e.getMessage(); // the rest of the status is still worth showing
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, status);
            return 0;
        }
        out.println("App        " + status.app().name() + (status.app().primaryRegion() == null ? "" : " (primary region " + status.app().primaryRegion() + ")"));
        out.println("Current    " + describe(status.current()));
        out.println("Deploying  " + describe(status.deploying()));
        String scale = Cells.scale(status.app().scale());
        out.println("Scale      " + (scale == null ? "none" : scale));
        IpsCommand.printAddresses(out, addresses);
        out.println();
        RegionLoadTable.print(out, load);
        List<Instance> instances = status.instances() == null ? List.of() : status.instances().stream()
                .sorted(Comparator.comparing(Instance::region).thenComparing(Instance::release, Comparator.reverseOrder())
                        .thenComparing(Instance::id))
                .toList();
        if (instances.isEmpty()) {
            out.println("No instances.");
        } else {
            Table table = new Table("id", "region", "release", "state", "health", "address", "restarts");
            for (Instance i : instances) {
                String address = i.address() == null ? null : i.address() + (i.port() == null ? "" : ":" + i.port());
                table.row(i.id(), i.region(), "v" + i.release(), i.state() == null ? null : i.state().wire(),
                        i.health() == null ? null : i.health().wire(), address, i.restarts());
            }
            table.print(out);
        }
        out.println();
        if (noEvents != null) {
            out.println("Events unavailable: " + noEvents);
        } else if (events.events().isEmpty()) {
            out.println("No events.");
        } else {
            out.println("Recent events (outpost events --follow for more)");
            events.events().forEach(e -> out.println("  " + Cells.instant(e.at()) + "  " + e.kind() + "  " + e.message()));
        }
        out.flush();
        return 0;
    }

    /** The app's dedicated addresses; none from a server older than {@code GET /v1/apps/{app}/ips} (404 there, the app exists). */
    private static dev.outpost.core.api.AppAddresses addresses(ApiClient api, String app) throws dev.outpost.cli.api.ApiException {
        try {
            return api.ips(app);
        } catch (dev.outpost.cli.api.ApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    private static String describe(Release r) {
        if (r == null) {
            return "-";
        }
        return "v" + r.version() + "  " + r.status().wire() + "  " + ShortDigest.of(r.artifactDigest())
                + (r.createdAt() == null ? "" : "  " + Cells.instant(r.createdAt()));
    }
}
