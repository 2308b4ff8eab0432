/**
 * Events: what the server decided about an app and why (scaling, budgets, suspensions), kept for
 * {@code outpost events} and delivered to webhooks. Start with {@link dev.outpost.server.events.EventSink}.
 */
package dev.outpost.server.events;
