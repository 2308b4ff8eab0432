package dev.outpost.proxy;

/**
 * Where an edge proxy runs and listens.
 *
 * @param region   the region this proxy serves (its instances are preferred; sent as {@code Outpost-Region})
 * @param bindHost the address of the HTTP listener, e.g. {@code 127.1.0.1} in {@code outpost dev}
 * @param httpPort the HTTP port, 0 for any free port
 */
public record ProxyConfig(String region, String bindHost, int httpPort) {
    public ProxyConfig {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("proxy region must be a region code such as \"iad\", got " + region);
        }
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("proxy bind host must be an address such as \"127.0.0.1\", got " + bindHost);
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("proxy http port must be in 0..65535, got " + httpPort);
        }
    }
}
