package dev.outpost.server.budget;

import dev.outpost.server.api.ApiException;
import dev.outpost.store.Store;

/**
 * What a suspension refuses: new releases of the app by deploy, rollback or promote, until the month
 * ends or the budget is raised, with the reason as a 409.
 */
public final class Suspension {
    private Suspension() {}

    /** @throws ApiException 409 naming the reason when {@code app} is suspended */
    public static void refuseDeploy(Store store, String app, String what) {
        String reason = store.budgets().suspended().get(app);
        if (reason != null) {
            throw ApiException.conflict(what + " of " + app + " is refused while it is suspended: " + reason);
        }
    }
}
