package dev.outpost.proxy;

import dev.outpost.proxy.http.ProxyLimits;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where an edge proxy runs and listens, and what it tolerates.
 *
 * @param region   the region this proxy serves (its instances are preferred; sent as {@code Outpost-Region})
 * @param bindHost the address of the HTTP listener, e.g. {@code 127.1.0.1} in {@code outpost dev}
 * @param httpPort the HTTP port, 0 for any free port
 * @param limits   request limits, timeouts and queueing ({@link ProxyLimits#defaults()})
 * @param admin    the admin listener ({@code /metrics}); empty: none
 * @param httpsPort the HTTPS port on {@code bindHost} (0: any free port); empty: no HTTPS listener
 * @param dedicatedBlock the first address of the /24 whose addresses the edge serves apps' raw TCP, {@code tls} and
 *                  {@code proxy_proto} ports on ({@code 127.i.2.0} in dev: offset 5 is {@code 127.i.2.5}); empty: none
 */
public record ProxyConfig(String region, String bindHost, int httpPort, ProxyLimits limits, Optional<AdminListener> admin,
                          OptionalInt httpsPort, Optional<String> dedicatedBlock) {
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
        if (limits == null || admin == null) {
            throw new IllegalArgumentException("proxy limits and admin listener must be given (ProxyLimits.defaults(), Optional.empty())");
        }
        if (httpsPort == null) {
            httpsPort = OptionalInt.empty();
        }
        if (httpsPort.isPresent() && (httpsPort.getAsInt() < 0 || httpsPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("proxy https port must be in 0..65535, got " + httpsPort.getAsInt());
        }
        if (dedicatedBlock == null) {
            dedicatedBlock = Optional.empty();
        }
        dedicatedBlock.ifPresent(dev.outpost.core.api.DedicatedBlock::parse);
    }

    /** With an HTTPS listener as given, no dedicated block. */
    public ProxyConfig(String region, String bindHost, int httpPort, ProxyLimits limits, Optional<AdminListener> admin,
                       OptionalInt httpsPort) {
        this(region, bindHost, httpPort, limits, admin, httpsPort, Optional.empty());
    }

    /** Without an HTTPS listener. */
    public ProxyConfig(String region, String bindHost, int httpPort, ProxyLimits limits, Optional<AdminListener> admin) {
        this(region, bindHost, httpPort, limits, admin, OptionalInt.empty());
    }

    /** Default limits, no admin listener. */
    public ProxyConfig(String region, String bindHost, int httpPort) {
        this(region, bindHost, httpPort, ProxyLimits.defaults(), Optional.empty());
    }

    public ProxyConfig withLimits(ProxyLimits limits) {
        return new ProxyConfig(region, bindHost, httpPort, limits, admin, httpsPort, dedicatedBlock);
    }

    /** With an admin listener on {@code host:port} (port 0: any free port). */
    public ProxyConfig withAdmin(String host, int port) {
        return new ProxyConfig(region, bindHost, httpPort, limits, Optional.of(new AdminListener(host, port)), httpsPort, dedicatedBlock);
    }

    /** With an HTTPS listener on {@code bindHost:port} (port 0: any free port), shared by every app and routed by SNI then Host. */
    public ProxyConfig withHttps(int port) {
        return new ProxyConfig(region, bindHost, httpPort, limits, admin, OptionalInt.of(port), dedicatedBlock);
    }

    /**
     * With apps' dedicated addresses in the /24 starting at {@code block} (e.g. {@code 127.1.2.0}): an app
     * with address offset 5 has its non-HTTP ports served on {@code 127.1.2.5}.
     */
    public ProxyConfig withDedicatedBlock(String block) {
        return new ProxyConfig(region, bindHost, httpPort, limits, admin, httpsPort, Optional.of(block));
    }
}
