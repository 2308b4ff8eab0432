package dev.outpost.proxy.testing;

import dev.outpost.core.api.RoutingTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Routing tables as {@code GET /v1/routes} returns them. */
public final class Routes {
    private Routes() {}

    public static RoutingTable table(long index, RoutingTable.AppRoute... apps) {
        return new RoutingTable(index, List.of(apps));
    }

    public static RoutingTable.AppRoute app(String name, RoutingTable.Target... targets) {
        return new RoutingTable.AppRoute(name, 20, 25, "requests", List.of(targets));
    }

    /** An app whose instances speak HTTP/2 with prior knowledge ({@code h2_backend = true}). */
    public static RoutingTable.AppRoute h2(String name, RoutingTable.Target... targets) {
        return new RoutingTable.AppRoute(name, 20, 25, "requests", List.of(targets), 0, List.of(), true, null, false, List.of());
    }

    /** An app with its own limits; {@code type} is "requests" or "connections". */
    public static RoutingTable.AppRoute limited(String name, int soft, int hard, String type, RoutingTable.Target... targets) {
        return new RoutingTable.AppRoute(name, soft, hard, type, List.of(targets));
    }

    /** {@code route} with its own {@code response_timeout}. */
    public static RoutingTable.AppRoute responseTimeout(RoutingTable.AppRoute route, Duration timeout) {
        return new RoutingTable.AppRoute(route.app(), route.softLimit(), route.hardLimit(), route.concurrencyType(), route.targets(),
                route.addressOffset(), route.ports(), route.h2Backend(), route.suspended(), route.autostart(), route.stopped(), timeout);
    }

    public static RoutingTable.Target target(String id, String region, int port) {
        return new RoutingTable.Target(id, region, "127.0.0.1", port, 1);
    }

    /**
     * Ports {@link #dead} hands out, held for the rest of the test JVM: each is bound and never listens, so a
     * connect to it is refused and nothing else can take it. A port freed right away could be the next one the
     * kernel gives a proxy binding port 0 in the same test: the "dead" instance is then the proxy itself, and a
     * request loops through it until the instance's hard limit and waits in the queue (a 503, not the 502 asked).
     */
    private static final List<Socket> RESERVED = Collections.synchronizedList(new ArrayList<>());

    /** A target on a loopback port nothing listens on, and nothing will while the tests run: connecting to it is refused. */
    public static RoutingTable.Target dead(String id, String region) throws IOException {
        Socket reserved = new Socket();
        reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        RESERVED.add(reserved);
        return target(id, region, reserved.getLocalPort());
    }
}
