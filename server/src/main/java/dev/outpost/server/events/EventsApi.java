package dev.outpost.server.events;

import dev.outpost.core.api.Event;
import dev.outpost.core.api.EventList;
import dev.outpost.server.api.ApiException;
import dev.outpost.server.api.AppsApi;
import dev.outpost.server.api.Blocking;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code GET /v1/apps/{app}/events?since=ID&limit=N}: the app's events after {@code since}, oldest
 * first. A blocking query like every {@code GET /v1/...} ({@code index}, {@code wait}), so
 * {@code outpost events --follow} waits for the next event instead of polling.
 */
public final class EventsApi {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final Store store;

    public EventsApi(Store store) {
        this.store = store;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps/{app}/events", this::list);
    }

    private void list(Context ctx) {
        String app = AppsApi.app(store, ctx.pathParam("app")).name();
        long since = number(ctx, "since", 0);
        long limit = number(ctx, "limit", DEFAULT_LIMIT);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit=" + limit + " is out of range: give 1 to " + MAX_LIMIT);
        }
        List<Event> events = since == 0 && ctx.queryParam("since") == null
                ? store.events().latest(app, (int) limit)
                : store.events().list(app, since, (int) limit);
        ctx.json(new EventList(Blocking.index(ctx), events));
    }

    private static long number(Context ctx, String name, long fallback) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw ApiException.badRequest(name + "=" + value + " must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + "=" + value + " is not a number (e.g. " + name + "=42)");
        }
    }
}
