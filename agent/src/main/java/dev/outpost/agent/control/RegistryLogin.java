package dev.outpost.agent.control;

import java.net.URI;

/**
 * How the host's Docker Engine logs in to the Outpost registry: {@code host} is its
 * {@code host:port} (the server's API address, since the registry is served at {@code /v2} there),
 * and the password is an API token; the registry takes any user name.
 */
public record RegistryLogin(String host, String username, String password) {
    public RegistryLogin {
        if (host == null || host.isBlank() || host.contains("/")) {
            throw new IllegalArgumentException("registry host \"" + host + "\" is invalid: expected host:port, e.g. 127.0.0.1:7280");
        }
    }

    /** The registry of the server at {@code server} (e.g. {@code http://127.0.0.1:7280}), logged in with {@code token}. */
    public static RegistryLogin of(URI server, String token) {
        String host = server.getHost();
        if (host == null) {
            throw new IllegalArgumentException("server address " + server + " names no host: expected e.g. http://127.0.0.1:7280");
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return new RegistryLogin(server.getPort() < 0 ? host : host + ":" + server.getPort(), "outpost", token);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "RegistryLogin[" + username + "@" + host + "]";
    }
}
