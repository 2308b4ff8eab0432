/**
 * The edge's admin listener, on an address of its own: Prometheus {@code GET /metrics} and
 * {@code GET /healthz}. Start reading at {@link dev.outpost.proxy.admin.AdminServer}.
 */
package dev.outpost.proxy.admin;
