package dev.outpost.core.api;

import java.time.Instant;

/**
 * {@code GET /v1/apps/{app}/budget}: the app's monthly budget in USD (null: none), the month (yyyy-MM,
 * UTC), spend so far, the rate it spends at now, the forecast to month end at that rate, the percent
 * of the budget used (null without one), and while suspended the reason and when it resumes.
 */
public record BudgetReport(String app, Double monthlyUsd, String month, double spentUsd, double usdPerSecond,
                           double forecastUsd, Double percentUsed, String suspended, Instant resumesAt) {}
