package dev.outpost.core.api;

import dev.outpost.core.Durations;
import dev.outpost.core.config.AppConfig;
import java.time.Duration;
import java.util.List;

/**
 * {@code GET /v1/apps/{app}/ips}: where an app's ports outside the shared HTTP/HTTPS listeners (raw TCP,
 * {@code tls}, {@code proxy_proto}) are served. {@code offset} is the app's dedicated address as an
 * offset into each edge's block (0: the app has none); {@code addresses} lists, per region and port, the
 * address a client dials there, as the live edges of that region serve it (each reports its block);
 * {@code unservedRegions} are the app's regions where no live edge serves dedicated addresses.
 */
public record AppAddresses(String app, int offset, List<Address> addresses, List<String> unservedRegions) {
    public AppAddresses {
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
        unservedRegions = unservedRegions == null ? List.of() : List.copyOf(unservedRegions);
    }

    /** Served in every region the app runs in. */
    public AppAddresses(String app, int offset, List<Address> addresses) {
        this(app, offset, addresses, List.of());
    }

    /**
     * One public port in one region: {@code address:port} with its handler chain; {@code proxyProtoVersion}
     * (1 or 2) matters only when the chain has {@code proxy_proto}; {@code idleTimeout} is how long a
     * connection may stay silent both ways before the edge closes it.
     */
    public record Address(String region, String address, int port, List<String> handlers, int proxyProtoVersion,
                          Duration idleTimeout) {
        public Address {
            handlers = handlers == null ? List.of() : List.copyOf(handlers);
            idleTimeout = idleTimeout == null ? AppConfig.Port.DEFAULT_IDLE_TIMEOUT : idleTimeout;
        }

        public Address(String region, String address, int port, List<String> handlers, int proxyProtoVersion) {
            this(region, address, port, handlers, proxyProtoVersion, null);
        }

        /** How people read it: {@code tcp (idle 1h)}, {@code tls (idle 30m)}, {@code tcp (proxy_proto v2, idle 1h)}. */
        public String describe() {
            String kind = handlers.contains("tls") ? "tls" : "tcp";
            String idle = "idle " + Durations.format(idleTimeout);
            return kind + " (" + (handlers.contains("proxy_proto") ? "proxy_proto v" + proxyProtoVersion + ", " : "") + idle + ")";
        }
    }
}
