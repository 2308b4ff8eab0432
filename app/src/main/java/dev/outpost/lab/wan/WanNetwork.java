package dev.outpost.lab.wan;

import dev.outpost.proxy.http.Transport;
import dev.outpost.proxy.routing.Dialer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAN between the regions of {@code outpost dev}: region {@code i} (from 1, in the order given)
 * owns {@code 127.i.0.0/16}, and the server ({@code 127.0.0.1}) sits in the first region. A
 * connection from region A to an address of region B ≠ A goes through a {@link WanLink} with the
 * two regions' round trip in this mode, opened on first use per (A, destination, handshake) and
 * listening on {@code 127.A.255.1} — clear of the instances' and dedicated app addresses, which
 * grow from {@code 127.A.1.x} and {@code 127.A.2.x} up. Everything else connects directly.
 */
public final class WanNetwork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WanNetwork.class);

    private record Key(String from, InetSocketAddress destination, Handshake handshake) {}

    private final WanMode mode;
    private final List<String> regions;
    private final LinkLoops loops;
    private final Map<Key, WanLink> links = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public WanNetwork(WanMode mode, List<String> regions) {
        if (regions.isEmpty() || regions.size() > 254) {
            throw new IllegalArgumentException("a WAN needs 1 to 254 regions, got " + regions.size());
        }
        this.mode = mode;
        this.regions = List.copyOf(regions);
        this.loops = mode.linked() ? new LinkLoops(Transport.best(), 2, "links") : null;
        if (mode.linked()) {
            // Fails now, with the region's name, rather than on the first connection across.
            regions.forEach(r -> mode.rtt(regions.get(0), r));
        }
    }

    public WanMode mode() {
        return mode;
    }

    /** How region {@code from} connects to instances and peer edges: through a link to any other region. */
    public Dialer dialer(String from) {
        return dialer(from, Handshake.CHARGED);
    }

    /**
     * How region {@code from}'s edge probes its peers: the probe times its request only after its
     * connect, so its links do not charge the handshake (see {@link Handshake}).
     */
    public Dialer probeDialer(String from) {
        return dialer(from, Handshake.EXCLUDED);
    }

    /** The server's API as agents and edges of region {@code from} reach it: through a link unless in the first region. */
    public URI api(String from, URI api) {
        InetSocketAddress routed = dialer(from).route(new InetSocketAddress(api.getHost(), api.getPort()));
        try {
            return new URI(api.getScheme(), null, routed.getAddress().getHostAddress(), routed.getPort(), api.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("API address " + api + " cannot be rewritten to its WAN link " + routed, e);
        }
    }

    /** The region owning {@code address}: {@code 127.i.x.x} is region i, {@code 127.0.0.1} the first region (the server's). */
    public Optional<String> regionOf(InetAddress address) {
        return regionOf(regions, address);
    }

    /** {@link #regionOf(InetAddress)} for a WAN of {@code regions}, in {@code outpost dev}'s order (as {@code GET /v1/regions} lists them). */
    public static Optional<String> regionOf(List<String> regions, InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4 || b[0] != 127) {
            return Optional.empty();
        }
        int block = b[1] & 0xff;
        if (block == 0) {
            return Optional.of(regions.get(0));
        }
        return block <= regions.size() ? Optional.of(regions.get(block - 1)) : Optional.empty();
    }

    /** The links opened so far, for tests and diagnostics. */
    public List<WanLink> links() {
        return new ArrayList<>(links.values());
    }

    @Override
    public void close() {
        closed = true;
        links.values().forEach(WanLink::close);
        links.clear();
        if (loops != null) {
            loops.close();
        }
    }

    private Dialer dialer(String from, Handshake handshake) {
        int index = regions.indexOf(from);
        if (index < 0) {
            throw new IllegalArgumentException("region " + from + " is not one of this WAN's regions " + regions);
        }
        if (!mode.linked()) {
            return Dialer.direct();
        }
        String bindHost = "127." + (index + 1) + ".255.1";
        return destination -> {
            Optional<String> to = destination.isUnresolved() ? Optional.empty() : regionOf(destination.getAddress());
            if (to.isEmpty() || to.get().equals(from) || closed) {
                return destination;
            }
            return links.computeIfAbsent(new Key(from, destination, handshake), k -> {
                WanLink link = WanLink.open(loops, bindHost, destination, mode.rtt(from, to.get()), handshake);
                LOG.debug("WAN link {} → {} ({}): {} → {}, RTT {} ms", from, to.get(), handshake, link.address(), destination,
                        link.rtt().toMillis());
                return link;
            }).address();
        };
    }
}
