/**
 * How the proxy learns its routes from the server: {@link dev.outpost.proxy.control.RouteWatcher}
 * long-polls {@code GET /v1/routes} (a blocking query) and hands every new table to a consumer,
 * usually {@code EdgeProxy::update}. When the server is down it keeps retrying with backoff and
 * the proxy keeps routing on the last table (static stability).
 */
package dev.outpost.proxy.control;
