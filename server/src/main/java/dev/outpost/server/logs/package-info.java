/**
 * The server side of central logs, beside the {@code /v1/logs} endpoints of
 * {@link dev.outpost.server.api.LogsApi}: {@link dev.outpost.server.logs.LogRetention} deletes lines
 * older than the retention every hour. Lines are stored by {@link dev.outpost.store.Logs}.
 */
package dev.outpost.server.logs;
