package dev.outpost.server.api;

import dev.outpost.core.api.AppAddresses;
import dev.outpost.core.api.DedicatedBlock;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.server.RegionDirectory;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Apps' dedicated addresses: allocated when a release whose config has a port outside the shared
 * HTTP/HTTPS listeners is created (so running out of addresses fails the deploy that needs one, with
 * the reason, before any instance starts), and shown by {@code GET /v1/apps/{app}/ips}.
 *
 * <p>The addresses shown are those the live edges serve: each edge reports the block it serves dedicated
 * addresses from with its heartbeat ({@code outpost proxy --dedicated-block}; in dev {@code 127.i.2.0}), and the
 * app's address there is that block + the app's offset, the same offset in every region. A region the app runs
 * in (its primary region, or one with an instance) where no live edge serves dedicated addresses is listed as
 * unserved: its raw TCP ports are not reachable there.
 */
public final class AddressesApi {
    private final Store store;
    private final RegionDirectory regions;

    public AddressesApi(Store store, RegionDirectory regions) {
        this.store = store;
        this.regions = regions;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps/{app}/ips", this::ips);
    }

    /** True when {@code config} has a port the shared HTTP/HTTPS listeners do not serve. */
    public static boolean needsDedicatedAddress(AppConfig config) {
        return config.services().stream().flatMap(s -> s.ports().stream()).anyMatch(p -> !p.http());
    }

    /** Allocates the app's dedicated address when {@code config} needs one; a 409 when none is left. */
    public static void allocateFor(Store store, String app, AppConfig config, Instant now) {
        if (needsDedicatedAddress(config)) {
            store.addresses().allocate(app, now);
        }
    }

    private void ips(Context ctx) {
        App app = AppsApi.app(store, ctx.pathParam("app"));
        OptionalInt offset = store.addresses().find(app.name());
        AppConfig config = offset.isPresent() && app.currentRelease() != null
                ? store.findRelease(app.name(), app.currentRelease()).map(Release::config).orElse(null) : null;
        if (config == null) {
            ctx.json(new AppAddresses(app.name(), offset.orElse(0), List.of(), List.of()));
            return;
        }
        // Each live edge serves the app on its own block + the app's offset; edges are listed in region order.
        List<String> order = regions.codes();
        Comparator<String> byRegionOrder = Comparator.comparingInt((String r) -> order.indexOf(r) < 0 ? order.size() : order.indexOf(r))
                .thenComparing(r -> r);
        List<EdgeInfo> serving = store.edges().list().stream().filter(e -> e.dedicatedBlock() != null)
                .sorted(Comparator.comparing(EdgeInfo::region, byRegionOrder).thenComparing(EdgeInfo::dedicatedBlock))
                .toList();
        Set<String> seen = new HashSet<>();
        List<AppAddresses.Address> out = new ArrayList<>();
        for (EdgeInfo edge : serving) {
            String address;
            try {
                address = DedicatedBlock.parse(edge.dedicatedBlock()).address(offset.getAsInt());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!seen.add(edge.region() + " " + address)) {
                continue;
            }
            for (AppConfig.Service service : config.services()) {
                for (AppConfig.Port port : service.ports()) {
                    if (!port.http()) {
                        out.add(new AppAddresses.Address(edge.region(), address, port.port(), port.handlers(), port.proxyProtoVersion(),
                                port.idleTimeout()));
                    }
                }
            }
        }
        Set<String> appRegions = new TreeSet<>(byRegionOrder);
        appRegions.add(app.primaryRegion());
        store.listInstances(app.name()).forEach(i -> appRegions.add(i.region()));
        Set<String> served = new HashSet<>();
        serving.forEach(e -> served.add(e.region()));
        List<String> unserved = appRegions.stream().filter(r -> !served.contains(r)).toList();
        ctx.json(new AppAddresses(app.name(), offset.getAsInt(), out, unserved));
    }
}
