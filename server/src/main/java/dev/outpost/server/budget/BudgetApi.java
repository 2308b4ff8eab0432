package dev.outpost.server.budget;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.api.BudgetReport;
import dev.outpost.server.api.ApiException;
import dev.outpost.server.api.AppsApi;
import dev.outpost.server.api.Requests;
import dev.outpost.server.meter.Meter;
import dev.outpost.store.Budget;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * {@code GET /v1/apps/{app}/budget} (spend so far, forecast, percent used, suspension) and
 * {@code PUT /v1/apps/{app}/budget} with {@code {"monthlyUsd": 5}}. A new budget takes effect at once:
 * raised above the spend, a suspended app is restored before the answer.
 */
public final class BudgetApi {
    private final Store store;
    private final Meter meter;
    private final BudgetKeeper keeper;

    public BudgetApi(Store store, Meter meter, BudgetKeeper keeper) {
        this.store = store;
        this.meter = meter;
        this.keeper = keeper;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/apps/{app}/budget", ctx -> ctx.json(report(AppsApi.app(store, ctx.pathParam("app")).name())));
        routes.put("/v1/apps/{app}/budget", this::set);
    }

    private void set(Context ctx) {
        String app = AppsApi.app(store, ctx.pathParam("app")).name();
        JsonNode body = Requests.body(ctx, JsonNode.class);
        JsonNode usd = body.get("monthlyUsd");
        if (usd == null || !usd.isNumber() || usd.asDouble() < 0 || !Double.isFinite(usd.asDouble())) {
            throw ApiException.badRequest("monthlyUsd " + usd + " of " + app
                    + " is not a budget: give a number of USD >= 0 (e.g. {\"monthlyUsd\": 5})");
        }
        store.budgets().set(app, usd.asDouble());
        keeper.check(app);
        ctx.json(report(app));
    }

    private BudgetReport report(String app) {
        Meter.Spend spend = meter.spend(app);
        Optional<Budget> budget = store.budgets().find(app);
        Double monthly = budget.map(Budget::monthlyUsd).orElse(null);
        Double percent = monthly == null ? null : monthly == 0 ? (spend.spentUsd() > 0 ? 100.0 : 0.0) : 100 * spend.spentUsd() / monthly;
        return new BudgetReport(app, monthly, spend.month().toString(), spend.spentUsd(), spend.usdPerSecond(), spend.forecastUsd(),
                percent, budget.map(Budget::suspended).orElse(null), budget.map(Budget::resumesAt).orElse(null));
    }
}
