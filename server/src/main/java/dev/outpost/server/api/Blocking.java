package dev.outpost.server.api;

import dev.outpost.server.watch.IndexWatch;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * Blocking queries for every {@code GET /v1/...}: with {@code ?index=N}, the request waits until the
 * global index passes N (or {@code wait} ends) before its handler reads the state. The index is read
 * before the state, so an answer is never older than the index it reports. When the server closes,
 * waiting queries end with 503 at once.
 */
public final class Blocking {
    private static final String ATTRIBUTE = "outpost.index";

    private Blocking() {}

    public static void install(RoutesConfig routes, IndexWatch watch) {
        routes.before("/v1/*", ctx -> {
            long index;
            if (ctx.method().equals(HandlerType.GET) && ctx.queryParam("index") != null) {
                Requests.Blocking b = Requests.blocking(ctx);
                index = watch.await(b.index(), b.maxWait());
                if (watch.closed()) {
                    // The server is stopping: say so now, so agents and edges start retrying at once.
                    throw new ApiException(503, "Service Unavailable", "the Outpost server is shutting down; retry once it is back");
                }
            } else {
                index = watch.current();
            }
            ctx.attribute(ATTRIBUTE, index);
            ctx.header("Outpost-Index", Long.toString(index));
        });
    }

    /** The index this request's answer reflects. */
    public static long index(Context ctx) {
        Long index = ctx.attribute(ATTRIBUTE);
        return index == null ? 0 : index;
    }
}
