package dev.outpost.server.api;

import dev.outpost.core.api.DedicatedBlock;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.EdgeList;
import dev.outpost.core.api.EdgeRegistration;
import dev.outpost.core.api.RegionRtt;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Edge proxies find each other here: each registers, and heartbeats every 10 s, with
 * {@code PUT /v1/edges/{id}} {@code {region, probeAddress, rtt, dedicatedBlock}}; {@code GET /v1/edges} (a blocking
 * query) lists them with the round trips each last measured, which is what peers probe and what
 * {@code outpost regions} prints. {@code DELETE /v1/edges/{id}} is an edge leaving for good.
 * Only a new edge or a new region or probe address bumps the global index (see {@code Edges#upsert}).
 */
public final class EdgesApi {
    private static final Pattern EDGE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9]{1,7}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");

    private final Store store;
    private final Clock clock;

    public EdgesApi(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.put("/v1/edges/{id}", this::upsert);
        routes.get("/v1/edges", ctx -> ctx.json(new EdgeList(Blocking.index(ctx), store.edges().list())));
        routes.get("/v1/edges/{id}", ctx -> ctx.json(store.edges().find(id(ctx)).orElseThrow(() -> notFound(id(ctx)))));
        routes.delete("/v1/edges/{id}", ctx -> {
            if (!store.edges().delete(id(ctx))) {
                throw notFound(id(ctx));
            }
            ctx.status(204);
        });
    }

    private void upsert(Context ctx) {
        String id = id(ctx);
        EdgeRegistration req = Requests.body(ctx, EdgeRegistration.class);
        if (req.region() == null || !REGION.matcher(req.region()).matches()) {
            throw ApiException.badRequest("edge " + id + ": region \"" + req.region() + "\" is not a region code (e.g. iad)");
        }
        var hostPort = req.probeAddress() == null ? null : HOST_PORT.matcher(req.probeAddress());
        if (hostPort == null || !hostPort.matches() || Integer.parseInt(hostPort.group(2)) < 1
                || Integer.parseInt(hostPort.group(2)) > 65535) {
            throw ApiException.badRequest("edge " + id + ": probeAddress \"" + req.probeAddress()
                    + "\" must be HOST:PORT with a port in 1..65535, where peers probe this edge");
        }
        for (Map.Entry<String, RegionRtt> e : req.rtt().entrySet()) {
            if (!REGION.matcher(e.getKey()).matches() || e.getValue() == null) {
                throw ApiException.badRequest("edge " + id + ": rtt key \"" + e.getKey()
                        + "\" must be a region code with a {millis, reachable} value");
            }
        }
        if (req.dedicatedBlock() != null) {
            try {
                DedicatedBlock.parse(req.dedicatedBlock());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("edge " + id + ": " + e.getMessage() + " (or leave dedicatedBlock out: the edge serves none)");
            }
        }
        ctx.json(store.edges().upsert(new EdgeInfo(id, req.region(), req.probeAddress(), req.rtt(), clock.instant(),
                req.dedicatedBlock())));
    }

    private static String id(Context ctx) {
        String id = ctx.pathParam("id");
        if (!EDGE_ID.matcher(id).matches()) {
            throw ApiException.badRequest("edge id \"" + id + "\" is invalid (letters, digits, '.', '_', '-'; up to 63)");
        }
        return id;
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("edge " + id + " not found: an edge registers with PUT /v1/edges/{id} first");
    }
}
