package dev.outpost.server.api;

import dev.outpost.core.Ids;
import dev.outpost.core.api.CreateTokenRequest;
import dev.outpost.core.api.TokenInfo;
import dev.outpost.core.model.Token;
import dev.outpost.server.auth.TokenAuth;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.regex.Pattern;

/** API tokens: only an admin token may list, create or revoke them. */
public final class TokensApi {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}");
    private final Store store;
    private final Clock clock;

    public TokensApi(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/tokens", ctx -> {
            requireAdmin(ctx);
            ctx.json(store.listTokens().stream().map(t -> new TokenInfo(t.id(), t.name(), t.admin(), t.createdAt(), null)).toList());
        });
        routes.post("/v1/tokens", this::create);
        routes.delete("/v1/tokens/{id}", ctx -> {
            requireAdmin(ctx);
            if (!store.deleteToken(ctx.pathParam("id"))) {
                throw ApiException.notFound("token " + ctx.pathParam("id") + " not found");
            }
            ctx.status(204);
        });
    }

    private void create(Context ctx) {
        requireAdmin(ctx);
        CreateTokenRequest req = Requests.body(ctx, CreateTokenRequest.class);
        if (req.name() == null || !NAME.matcher(req.name()).matches()) {
            throw ApiException.badRequest("token name \"" + req.name() + "\" is invalid (1-63 letters, digits, spaces, '.', '_', '-')");
        }
        String secret = Ids.token();
        Token token = new Token("tok-" + Ids.random(8), req.name(), TokenAuth.hash(secret), false, clock.instant());
        store.insertToken(token);
        ctx.status(201).json(new TokenInfo(token.id(), token.name(), false, token.createdAt(), secret));
    }

    private static void requireAdmin(Context ctx) {
        Token caller = ctx.attribute(Authentication.ATTRIBUTE);
        if (caller == null || !caller.admin()) {
            throw ApiException.forbidden("managing tokens needs an admin token");
        }
    }
}
