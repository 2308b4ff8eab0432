package dev.outpost.proxy;

/**
 * Where the edge's admin listener binds: Prometheus {@code /metrics} and {@code /healthz}, on an
 * address of its own so operators can keep it off the public interface.
 *
 * @param host e.g. {@code 127.1.0.1}
 * @param port 0 for any free port
 */
public record AdminListener(String host, int port) {
    public AdminListener {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("proxy admin host must be an address such as \"127.0.0.1\", got " + host);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("proxy admin port must be in 0..65535, got " + port);
        }
    }
}
