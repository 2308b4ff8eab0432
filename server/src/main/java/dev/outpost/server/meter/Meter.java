package dev.outpost.server.meter;

import dev.outpost.store.Store;
import dev.outpost.store.UsageInterval;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Prices the run intervals the store keeps: spend of an app in a calendar month (UTC), an open run
 * counted up to now, and the rate it spends at now.
 */
public final class Meter {
    private final Store store;
    private final Prices prices;
    private final Clock clock;

    public Meter(Store store, Prices prices, Clock clock) {
        this.store = store;
        this.prices = prices;
        this.clock = clock;
    }

    /** What the app spent, in USD, with its usage as of now. */
    public Spend spend(String app) {
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atOffset(ZoneOffset.UTC));
        Instant from = start(month);
        Instant to = start(month.plusMonths(1));
        List<UsageInterval> runs = store.usage().intervals(app, from, to);
        double spent = 0;
        double rate = 0;
        for (UsageInterval run : runs) {
            double price = prices.perSecond(run.vmSize());
            spent += run.within(from, to, now).toMillis() / 1000.0 * price;
            if (run.stoppedAt() == null) {
                rate += price;
            }
        }
        double remaining = Math.max(0, (to.toEpochMilli() - now.toEpochMilli()) / 1000.0);
        return new Spend(app, month, spent, rate, spent + rate * remaining, to);
    }

    public Clock clock() {
        return clock;
    }

    /** The first instant of {@code month}, UTC. */
    public static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /**
     * An app's spend in {@code month}: {@code spentUsd} so far, {@code usdPerSecond} it spends now,
     * {@code forecastUsd} at month end if that rate holds, and when the month ends.
     */
    public record Spend(String app, YearMonth month, double spentUsd, double usdPerSecond, double forecastUsd, Instant monthEnds) {}
}
