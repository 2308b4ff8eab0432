package dev.outpost.server.api;

import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.region.RegionCatalog;
import dev.outpost.server.RegionDirectory;
import dev.outpost.server.secrets.ReleaseSecrets;
import dev.outpost.store.Store;
import dev.outpost.store.Usage;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** What agents call: register (and heartbeat), watch their assignments, report instances. Also the region list. */
public final class HostsApi {
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9]{1,7}");

    private final Store store;
    private final RegionDirectory regions;
    private final Clock clock;
    private final ReleaseSecrets secrets;

    public HostsApi(Store store, RegionDirectory regions, Clock clock, ReleaseSecrets secrets) {
        this.store = store;
        this.regions = regions;
        this.clock = clock;
        this.secrets = secrets;
    }

    public void register(RoutesConfig routes) {
        routes.put("/v1/hosts/{id}", this::upsert);
        routes.get("/v1/hosts/{id}/assignments", this::assignments);
        routes.put("/v1/instances/{id}/report", this::report);
        routes.get("/v1/regions", ctx -> {
            List<Host> hosts = store.listHosts();
            ctx.json(regions.codes().stream().map(code -> new RegionInfo(code,
                    RegionCatalog.find(code).map(RegionCatalog.Region::name).orElse(code),
                    hosts.stream().filter(h -> h.region().equals(code)).toList())).toList());
        });
    }

    private void upsert(Context ctx) {
        String id = ctx.pathParam("id");
        if (!HOST_ID.matcher(id).matches()) {
            throw ApiException.badRequest("host id \"" + id + "\" is invalid (letters, digits, '.', '_', '-'; up to 63)");
        }
        RegisterHostRequest req = Requests.body(ctx, RegisterHostRequest.class);
        if (req.region() == null || !REGION.matcher(req.region()).matches()) {
            throw ApiException.badRequest("region \"" + req.region() + "\" is not a region code (e.g. iad)");
        }
        if (req.address() == null || req.address().isBlank()) {
            throw ApiException.badRequest("address is missing: the host's private address, where proxies reach its instances");
        }
        if (req.memoryMb() <= 0) {
            throw ApiException.badRequest("memoryMb = " + req.memoryMb() + " must be positive");
        }
        Optional<Host> existing = store.findHost(id);
        if (existing.isPresent() && !existing.get().region().equals(req.region())) {
            throw ApiException.conflict("host " + id + " is registered in region " + existing.get().region() + ", not " + req.region());
        }
        ctx.json(store.upsertHost(new Host(id, req.region(), req.address(), req.memoryMb(), clock.instant())));
    }

    private void assignments(Context ctx) {
        long index = Blocking.index(ctx);
        String hostId = ctx.pathParam("id");
        store.findHost(hostId).orElseThrow(() ->
                ApiException.notFound("host " + hostId + " not found: an agent registers with PUT /v1/hosts/{id} first"));
        Map<String, App> apps = new HashMap<>();
        Map<String, Release> releases = new HashMap<>();
        Map<String, Map<String, String>> releaseSecrets = new HashMap<>();
        List<Assignment> out = new ArrayList<>();
        for (Instance i : store.listInstancesOnHost(hostId)) {
            App app = apps.computeIfAbsent(i.app(), n -> store.findApp(n).orElse(null));
            Release release = app == null ? null : releases.computeIfAbsent(i.app() + "@" + i.release(),
                    k -> store.findRelease(i.app(), i.release()).orElse(null));
            if (release == null || i.desired() == DesiredState.DESTROYED) {
                out.add(new Assignment(i.id(), i.app(), i.release(), i.region(), null, null, Map.of(), DesiredState.DESTROYED));
                continue;
            }
            out.add(new Assignment(i.id(), i.app(), i.release(), i.region(), release.artifactDigest(), release.config(),
                    env(app, release.config(), i, releaseSecrets.computeIfAbsent(i.app() + "@" + i.release(),
                            k -> secrets.of(i.app(), i.release()))), i.desired()));
        }
        ctx.json(new Assignments(index, out));
    }

    /**
     * DESIGN §5, less what only the agent knows ({@code PORT}, {@code OUTPOST_PRIVATE_IP}): {@code [env]},
     * then the release's secrets (a secret wins over an {@code [env]} key of the same name), then
     * the {@code OUTPOST_*} variables (secrets cannot take those names).
     */
    static Map<String, String> env(App app, AppConfig config, Instance i, Map<String, String> secrets) {
        Map<String, String> env = new LinkedHashMap<>(config.env());
        env.putAll(secrets);
        env.put("OUTPOST_APP", app.name());
        env.put("OUTPOST_REGION", i.region());
        env.put("OUTPOST_INSTANCE_ID", i.id());
        env.put("OUTPOST_RELEASE", Integer.toString(i.release()));
        env.put("OUTPOST_PRIMARY_REGION", app.primaryRegion());
        return env;
    }

    private void report(Context ctx) {
        String id = ctx.pathParam("id");
        InstanceReport report = Requests.body(ctx, InstanceReport.class);
        if (report.state() == null || report.health() == null) {
            throw ApiException.badRequest("state and health are required in an instance report");
        }
        Instance instance = store.findInstance(id).orElseThrow(() ->
                ApiException.notFound("instance " + id + " not found: it was destroyed; stop it"));
        Instant now = clock.instant();
        if (report.state() == InstanceState.DESTROYED && instance.desired() == DesiredState.DESTROYED) {
            store.deleteInstance(id, Usage.observed(report, now));
        } else {
            store.applyReport(id, report, now);
        }
        ctx.status(204);
    }
}
