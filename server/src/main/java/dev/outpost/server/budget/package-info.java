/**
 * Monthly budgets: {@link dev.outpost.server.budget.BudgetKeeper} compares each app's spend (from the
 * {@link dev.outpost.server.meter.Meter}) with its budget, announces 50/80/100 %, suspends the app at
 * 100 % and restores it at the start of the next month or when the budget is raised;
 * {@link dev.outpost.server.budget.BudgetApi} is {@code outpost budget}'s endpoint. Start with the keeper.
 */
package dev.outpost.server.budget;
