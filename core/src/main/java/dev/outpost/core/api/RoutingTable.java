package dev.outpost.core.api;

import dev.outpost.core.config.AppConfig;
import java.time.Duration;
import java.util.List;

/**
 * {@code GET /v1/routes?index=N&wait=30s}: every app the edges serve, with its routable instances
 * (started, checks passing, wanted running). Apps with no routable instance are listed with an
 * empty list, so the proxy can tell "no healthy instance" (503) from "no such app" (404).
 */
public record RoutingTable(long index, List<AppRoute> apps) {

    /**
     * One app as the edges see it. {@code addressOffset} is the app's dedicated address, as an offset into each
     * edge's block for dedicated addresses (in dev {@code 127.i.2.0}: offset 5 is {@code 127.i.2.5} in every
     * region, as an anycast address is the same everywhere); 0 when the app has no port outside the shared
     * HTTP/HTTPS listeners. {@code ports} are the app's public ports with their handler chains;
     * {@code h2Backend} makes the edge speak h2c to the instances. {@code suspended}, when not null, says why
     * the app takes no traffic (its monthly budget was reached): every edge answers 503 with it.
     * {@code autostart} with {@code stopped} (instances of the current release that are stopped and may be
     * started on demand) lets an edge start the nearest one when a request finds no capacity.
     * {@code responseTimeout} is how long an edge waits for an instance's response head once the whole request
     * reached it ({@code [services.http_options] response_timeout}); null when the app did not set it: the
     * default for HTTP requests, and no timeout for gRPC calls.
     */
    public record AppRoute(String app, int softLimit, int hardLimit, String concurrencyType, List<Target> targets,
                           int addressOffset, List<PortRoute> ports, boolean h2Backend, String suspended,
                           boolean autostart, List<Target> stopped, Duration responseTimeout) {
        public AppRoute {
            targets = targets == null ? List.of() : List.copyOf(targets);
            ports = ports == null ? List.of() : List.copyOf(ports);
            stopped = stopped == null ? List.of() : List.copyOf(stopped);
        }

        /** With the default response timeout. */
        public AppRoute(String app, int softLimit, int hardLimit, String concurrencyType, List<Target> targets,
                        int addressOffset, List<PortRoute> ports, boolean h2Backend, String suspended,
                        boolean autostart, List<Target> stopped) {
            this(app, softLimit, hardLimit, concurrencyType, targets, addressOffset, ports, h2Backend, suspended, autostart,
                    stopped, null);
        }

        public AppRoute(String app, int softLimit, int hardLimit, String concurrencyType, List<Target> targets) {
            this(app, softLimit, hardLimit, concurrencyType, targets, 0, List.of(), false, null, false, List.of());
        }
    }

    /**
     * A public port of an app: its handler chain (see {@code AppConfig.Port}) and, with {@code proxy_proto},
     * the PROXY protocol version (1 or 2) the edge writes to the instance; for ports on the dedicated
     * address, how long a connection may stay silent both ways before the edge closes it.
     */
    public record PortRoute(int port, List<String> handlers, int proxyProtoVersion, Duration idleTimeout) {
        public PortRoute {
            handlers = handlers == null ? List.of() : List.copyOf(handlers);
            // A table from a server older than idle_timeout names none: the default.
            idleTimeout = idleTimeout == null ? AppConfig.Port.DEFAULT_IDLE_TIMEOUT : idleTimeout;
        }

        public PortRoute(int port, List<String> handlers, int proxyProtoVersion) {
            this(port, handlers, proxyProtoVersion, null);
        }
    }

    /** An instance the proxy may send traffic to. */
    public record Target(String instanceId, String region, String address, int port, int release) {}
}
