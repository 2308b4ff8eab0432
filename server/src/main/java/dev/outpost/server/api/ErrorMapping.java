package dev.outpost.server.api;

import dev.outpost.core.Json;
import dev.outpost.core.api.Problem;
import dev.outpost.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error leaves as {@code application/problem+json}; unexpected ones are logged with their request. */
public final class ErrorMapping {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {}

    public static void install(JavalinConfig cfg) {
        cfg.routes.exception(ApiException.class, (e, ctx) -> problem(ctx, e.status(), e.title(), e.getMessage()));
        cfg.routes.exception(StoreException.NotFound.class, (e, ctx) -> problem(ctx, 404, "Not Found", e.getMessage()));
        cfg.routes.exception(StoreException.Conflict.class, (e, ctx) -> problem(ctx, 409, "Conflict", e.getMessage()));
        cfg.routes.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            problem(ctx, 500, "Internal Server Error", "the server failed to handle " + ctx.method() + " " + ctx.path()
                    + ": " + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + " (see the server log)");
        });
        cfg.routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                problem(ctx, 404, "Not Found", "no API endpoint " + ctx.method() + " " + ctx.path());
            }
        });
        cfg.routes.error(405, ctx -> problem(ctx, 405, "Method Not Allowed", ctx.method() + " is not allowed on " + ctx.path()));
    }

    public static void problem(Context ctx, int status, String title, String detail) {
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"outpost\"");
        }
        ctx.status(status).contentType(Problem.MEDIA_TYPE);
        try {
            ctx.result(Json.mapper().writeValueAsBytes(new Problem("about:blank", title, status, detail)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.result(detail);
        }
    }
}
