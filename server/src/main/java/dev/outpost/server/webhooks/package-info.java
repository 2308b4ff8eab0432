/**
 * Webhooks: {@link dev.outpost.server.webhooks.WebhooksApi} adds, lists and removes subscriptions
 * and shows deliveries; {@link dev.outpost.server.webhooks.WebhookDispatcher} POSTs the deliveries the
 * store queued with each event, signed by {@link dev.outpost.server.webhooks.WebhookSignature}, and
 * retries them with exponential backoff. Start with the dispatcher.
 */
package dev.outpost.server.webhooks;
