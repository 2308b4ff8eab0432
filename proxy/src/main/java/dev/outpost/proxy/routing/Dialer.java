package dev.outpost.proxy.routing;

import java.net.InetSocketAddress;

/**
 * Where the proxy actually connects to reach a destination: the destination itself, unless
 * something sits on the path, as the lab's WAN links do between regions on one machine. Every
 * connection the proxy opens (to instances, and its probes to peer edges) goes through it; the
 * proxy learns distances only by measuring what its connections cost.
 */
@FunctionalInterface
public interface Dialer {
    /** The address to connect to in order to reach {@code destination}; called on event loops, so it must not block for long. */
    InetSocketAddress route(InetSocketAddress destination);

    /** Connects straight to every destination. */
    static Dialer direct() {
        return destination -> destination;
    }
}
