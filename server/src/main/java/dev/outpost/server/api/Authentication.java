package dev.outpost.server.api;

import dev.outpost.server.auth.TokenAuth;
import io.javalin.config.RoutesConfig;

/** Puts every {@code /v1} and {@code /v2} call behind a token; {@code /healthz} stays open. */
public final class Authentication {
    static final String ATTRIBUTE = "outpost.token";

    private Authentication() {}

    public static void install(RoutesConfig routes, TokenAuth auth) {
        routes.before("/v1/*", ctx -> ctx.attribute(ATTRIBUTE, auth.authenticate(ctx.header("Authorization"))));
    }
}
