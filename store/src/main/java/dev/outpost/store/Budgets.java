package dev.outpost.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Monthly budgets, their alerts and suspensions. Reached through {@link Store#budgets()}. Suspending
 * and restoring are one transaction each with the instances' desired states, so a crash leaves an app
 * either running as before or suspended with its old states saved, never half of each.
 */
public final class Budgets {
    private static final TypeReference<Map<String, String>> SAVED = new TypeReference<>() {};
    private static final RowMapper<Budget> BUDGET = (rs, ctx) -> {
        long resumes = rs.getLong("resumes_at");
        Instant resumesAt = rs.wasNull() ? null : Instant.ofEpochMilli(resumes);
        String saved = rs.getString("suspended_json");
        return new Budget(rs.getString("app"), rs.getDouble("monthly_usd"), rs.getString("alert_month"), rs.getInt("alerted"),
                rs.getString("suspended"), saved == null ? Map.of() : JsonText.read(saved, SAVED, "budgets.suspended_json"), resumesAt);
    };

    private final Store store;

    Budgets(Store store) {
        this.store = store;
    }

    /** Sets the app's monthly budget (the latest write wins, from the CLI or a deploy's {@code [budget]}). */
    public Budget set(String app, double monthlyUsd) {
        if (!(monthlyUsd >= 0) || Double.isInfinite(monthlyUsd)) {
            throw new IllegalArgumentException("monthly budget " + monthlyUsd + " of " + app + " must be a number >= 0");
        }
        return store.write("set budget of " + app, tx -> {
            Handle h = tx.handle();
            Optional<Budget> old = find(h, app);
            if (old.isEmpty()) {
                h.createUpdate("INSERT INTO budgets (app, monthly_usd, alerted) VALUES (:app, :usd, 0)")
                        .bind("app", app).bind("usd", monthlyUsd).execute();
            } else if (old.get().monthlyUsd() != monthlyUsd) {
                h.createUpdate("UPDATE budgets SET monthly_usd = :usd WHERE app = :app").bind("app", app).bind("usd", monthlyUsd).execute();
            } else {
                return old.get();
            }
            tx.markChanged();
            return find(h, app).orElseThrow();
        });
    }

    public Optional<Budget> find(String app) {
        return store.read("budget of " + app, h -> find(h, app));
    }

    /** Every budget, by app. */
    public List<Budget> list() {
        return store.read("budgets", h -> h.createQuery("SELECT * FROM budgets ORDER BY app").map(BUDGET).list());
    }

    /** Suspended apps and why. */
    public Map<String, String> suspended() {
        Map<String, String> out = new TreeMap<>();
        list().stream().filter(Budget::isSuspended).forEach(b -> out.put(b.app(), b.suspended()));
        return out;
    }

    /** Records that {@code percent} of {@code month}'s budget was announced (thresholds only go up within a month). */
    public void markAlerted(String app, String month, int percent) {
        store.write("mark budget alert of " + app, tx -> {
            tx.handle().createUpdate("UPDATE budgets SET alert_month = :month, alerted = :percent WHERE app = :app")
                    .bind("app", app).bind("month", month).bind("percent", percent).execute();
            tx.markChanged();
            return null;
        });
    }

    /**
     * Saves the desired state of each of the app's instances and stops them all, in one transaction.
     * Nothing happens when the app is already suspended.
     *
     * @return true when it was suspended now
     */
    public boolean suspend(String app, String reason, Instant resumesAt) {
        return store.write("suspend " + app, tx -> {
            Handle h = tx.handle();
            Budget budget = find(h, app).orElseThrow(() -> new StoreException.NotFound("app " + app + " has no budget"));
            if (budget.isSuspended()) {
                return false;
            }
            Map<String, String> saved = new TreeMap<>();
            for (Instance i : h.createQuery("SELECT * FROM instances WHERE app = :app").bind("app", app).map(Rows.INSTANCE).list()) {
                if (i.desired() != DesiredState.DESTROYED) {
                    saved.put(i.id(), i.desired().wire());
                }
            }
            h.createUpdate("UPDATE instances SET desired = :stopped WHERE app = :app AND desired = :running")
                    .bind("stopped", DesiredState.STOPPED.wire()).bind("running", DesiredState.RUNNING.wire()).bind("app", app).execute();
            h.createUpdate("UPDATE budgets SET suspended = :reason, suspended_json = :saved, resumes_at = :resumes WHERE app = :app")
                    .bind("reason", reason).bind("saved", JsonText.write(saved)).bind("resumes", Rows.millis(resumesAt))
                    .bind("app", app).execute();
            tx.markChanged();
            return true;
        });
    }

    /**
     * Gives every instance saved at suspension its desired state back (those destroyed since stay
     * destroyed) and lifts the suspension, in one transaction.
     *
     * @return true when the app was suspended
     */
    public boolean restore(String app) {
        return store.write("restore " + app, tx -> {
            Handle h = tx.handle();
            Optional<Budget> budget = find(h, app);
            if (budget.isEmpty() || !budget.get().isSuspended()) {
                return false;
            }
            for (Map.Entry<String, String> e : budget.get().savedDesired().entrySet()) {
                h.createUpdate("UPDATE instances SET desired = :desired WHERE id = :id AND desired <> :destroyed")
                        .bind("desired", e.getValue()).bind("id", e.getKey()).bind("destroyed", DesiredState.DESTROYED.wire())
                        .execute();
            }
            h.createUpdate("UPDATE budgets SET suspended = NULL, suspended_json = NULL, resumes_at = NULL WHERE app = :app")
                    .bind("app", app).execute();
            tx.markChanged();
            return true;
        });
    }

    private static Optional<Budget> find(Handle h, String app) {
        return h.createQuery("SELECT * FROM budgets WHERE app = :app").bind("app", app).map(BUDGET).findOne();
    }
}
