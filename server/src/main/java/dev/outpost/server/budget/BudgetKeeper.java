package dev.outpost.server.budget;

import dev.outpost.server.events.EventSink;
import dev.outpost.server.meter.Meter;
import dev.outpost.store.Budget;
import dev.outpost.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop that enforces budgets, from the clock (injectable: tests cross a month in milliseconds).
 * Per app and month: one event at each of 50, 80 and 100 % ({@code budget.50} …); at 100 % the app is
 * suspended (its instances' desired states saved and set to stopped, in one store write); at the
 * first moment of the next month, or as soon as the budget is above the spend, it is restored as it
 * was. Everything it decides is in the store, so a restarted server carries on where it was.
 */
public final class BudgetKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BudgetKeeper.class);
    static final int[] THRESHOLDS = {50, 80, 100};
    /**
     * How often every budget is compared with its spend. Spend accrues by the second, so a second
     * late costs at most one second of an app's instances; a faster tick only wakes the server more.
     * {@code outpost budget set} checks its app at once.
     */
    static final Duration TICK = Duration.ofSeconds(1);
    private static final DateTimeFormatter RESUME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Store store;
    private final Meter meter;
    private final EventSink events;
    private final Thread thread;
    private volatile boolean running = true;

    public BudgetKeeper(Store store, Meter meter, EventSink events) {
        this.store = store;
        this.meter = meter;
        this.events = events;
        this.thread = Thread.ofPlatform().name("outpost-budgets").daemon().unstarted(this::loop);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                check();
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("budget check failed; retrying in {}", TICK, e);
            }
        }
    }

    /**
     * One pass over every budget; an app whose check fails (a run of a size with no price, a store
     * error) is logged and the others are still checked. Public for tests that step it by hand.
     *
     * @return the apps whose check failed
     */
    public synchronized List<String> check() {
        List<String> failed = new ArrayList<>();
        for (Budget budget : store.budgets().list()) {
            try {
                if (store.findApp(budget.app()).isPresent()) {
                    check(budget);
                }
            } catch (RuntimeException e) {
                failed.add(budget.app());
                log.error("budget check of {} failed; checking the other apps, retrying it in {}: {}", budget.app(), TICK,
                        e.getMessage(), e);
            }
        }
        return failed;
    }

    /** One pass over one app's budget (also right after {@code outpost budget set}). */
    public synchronized void check(String app) {
        store.budgets().find(app).ifPresent(this::check);
    }

    private void check(Budget budget) {
        String app = budget.app();
        Meter.Spend spend = meter.spend(app);
        Instant now = meter.clock().instant();
        if (budget.isSuspended()) {
            if (!now.isBefore(budget.resumesAt())) {
                resume(app, "a new month began: " + app + " runs again as it was before its suspension");
            } else if (spend.spentUsd() < budget.monthlyUsd()) {
                resume(app, "the monthly budget of " + usd(budget.monthlyUsd()) + " is above this month's spend of "
                        + usd(spend.spentUsd()) + ": " + app + " runs again as it was before its suspension");
            }
            return;
        }
        String month = spend.month().toString();
        int alerted = month.equals(budget.alertMonth()) ? budget.alerted() : 0;
        for (int threshold : THRESHOLDS) {
            if (threshold > alerted && spend.spentUsd() >= budget.monthlyUsd() * threshold / 100.0) {
                events.record(app, "budget." + threshold, String.format(Locale.ROOT, "%s has spent %s of its monthly budget of %s (%d %%)",
                        app, usd(spend.spentUsd()), usd(budget.monthlyUsd()), threshold), Map.of("percent", Integer.toString(threshold),
                        "spentUsd", Double.toString(spend.spentUsd()), "budgetUsd", Double.toString(budget.monthlyUsd()),
                        "month", month));
                store.budgets().markAlerted(app, month, threshold);
                alerted = threshold;
            }
        }
        if (spend.spentUsd() >= budget.monthlyUsd()) {
            String reason = "monthly budget of " + usd(budget.monthlyUsd()) + " reached for " + app + "; it resumes on "
                    + RESUME.format(spend.monthEnds()) + " or when the budget is raised (outpost budget set)";
            if (store.budgets().suspend(app, reason, spend.monthEnds())) {
                events.record(app, "budget.suspended", reason, Map.of("resumesAt", spend.monthEnds().toString()));
            }
        }
    }

    private void resume(String app, String message) {
        if (store.budgets().restore(app)) {
            events.record(app, "budget.resumed", message, Map.of());
        }
    }

    static String usd(double amount) {
        return String.format(Locale.ROOT, "$%.2f", amount);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
