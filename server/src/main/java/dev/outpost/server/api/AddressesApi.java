package dev.outpost.server.api;

import dev.outpost.core.api.AppAddresses;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.Release;
import dev.outpost.server.RegionDirectory;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Apps' dedicated addresses: allocated when a release whose config has a port outside the shared
 * HTTP/HTTPS listeners is created (so running out of addresses fails the deploy that needs one, with
 * the reason, before any instance starts), and shown by {@code GET /v1/apps/{app}/ips}.
 *
 * <p>The addresses shown follow the dev layout of DESIGN §9: the i-th configured region's edge serves
 * its dedicated addresses from {@code 127.i.2.0}. The offset is the same in every region.
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
        List<AppAddresses.Address> out = new ArrayList<>();
        if (offset.isPresent() && app.currentRelease() != null) {
            AppConfig config = store.findRelease(app.name(), app.currentRelease()).map(Release::config).orElse(null);
            List<String> codes = regions.codes();
            for (int i = 0; config != null && i < codes.size(); i++) {
                for (AppConfig.Service service : config.services()) {
                    for (AppConfig.Port port : service.ports()) {
                        if (!port.http()) {
                            out.add(new AppAddresses.Address(codes.get(i), "127." + (i + 1) + ".2." + offset.getAsInt(), port.port(),
                                    port.handlers(), port.proxyProtoVersion()));
                        }
                    }
                }
            }
        }
        ctx.json(new AppAddresses(app.name(), offset.orElse(0), out));
    }
}
