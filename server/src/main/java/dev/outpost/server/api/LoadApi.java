package dev.outpost.server.api;

import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.AppLoadStatus;
import dev.outpost.core.api.LoadReport;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.Autoscale;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.server.RegionDirectory;
import dev.outpost.server.autoscaler.AutoscalerLoop;
import dev.outpost.server.autoscaler.DemandSample;
import dev.outpost.server.autoscaler.LoadBoard;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The proxies' load reports in ({@code POST /v1/load}, at most one a second per edge, never bumping the
 * index) and the per-region view of an app's load out ({@code GET /v1/apps/{app}/load}, for
 * {@code outpost status}).
 */
public final class LoadApi {
    private final Store store;
    private final RegionDirectory regions;
    private final LoadBoard board;
    private final Clock clock;

    public LoadApi(Store store, RegionDirectory regions, LoadBoard board, Clock clock) {
        this.store = store;
        this.regions = regions;
        this.board = board;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/load", this::report);
        routes.get("/v1/apps/{app}/load", this::status);
    }

    private void report(Context ctx) {
        LoadReport report = Requests.body(ctx, LoadReport.class);
        if (report.region() == null || report.region().isBlank() || report.edge() == null || report.edge().isBlank()) {
            throw ApiException.badRequest("a load report needs the edge's region and id, e.g. {\"region\": \"iad\", \"edge\": \"iad-1\", \"apps\": []}");
        }
        regions.require(report.region());
        for (int i = 0; i < report.apps().size(); i++) {
            AppLoad load = report.apps().get(i);
            String at = "apps[" + i + "]";
            if (load == null || App.checkName(load.app()) != null) {
                throw ApiException.badRequest(at + ".app: " + (load == null ? "missing" : App.checkName(load.app())));
            }
            if (load.requests() < 0 || !(load.requestsPerSecond() >= 0) || load.connections() < 0 || !(load.remotePerSecond() >= 0)
                    || !(load.unservedPerSecond() >= 0)) {
                throw ApiException.badRequest(at + " (" + load.app() + "): rates and connections must be 0 or more, got "
                        + load.requestsPerSecond() + " req/s, " + load.connections() + " connections, "
                        + load.remotePerSecond() + " remote/s, " + load.unservedPerSecond() + " unserved/s");
            }
        }
        board.record(report, clock.instant());
        ctx.status(204);
    }

    private void status(Context ctx) {
        App app = AppsApi.app(store, ctx.pathParam("app"));
        Optional<AppConfig> config = AutoscalerLoop.servingConfig(store, app);
        AppConfig.Scale scale = config.map(AppConfig::scale).orElse(AppConfig.Scale.DEFAULT);
        Map<String, LoadBoard.Latest> latest = board.latest(app.name(), clock.instant());
        Map<String, Integer> running = new TreeMap<>();
        for (Instance i : store.listInstances(app.name())) {
            if (i.state() == InstanceState.STARTED && i.desired() != DesiredState.DESTROYED) {
                running.merge(i.region(), 1, Integer::sum);
            }
        }
        TreeSet<String> names = new TreeSet<>(scale.regions().keySet());
        names.addAll(app.scale().keySet());
        names.addAll(running.keySet());
        names.addAll(latest.keySet());
        List<AppLoadStatus.RegionLoad> rows = names.stream().map(region -> {
            Autoscale.Range range = scale.range(region);
            LoadBoard.Latest l = latest.get(region);
            DemandSample d = l == null ? new DemandSample(null, 0, 0, 0, 0) : l.demand();
            return new AppLoadStatus.RegionLoad(region, range == null ? null : range.min(), range == null ? null : range.max(),
                    app.scale().getOrDefault(region, 0), running.getOrDefault(region, 0), d.requestsPerSecond(),
                    d.remotePerSecond(), d.unservedPerSecond(), d.connections(), l == null ? null : l.reportedAt());
        }).toList();
        ctx.json(new AppLoadStatus(app.name(), scale.autoscaled(), rows));
    }
}
