package dev.outpost.lab.user;

import dev.outpost.cli.CliException;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.lab.wan.LinkLoops;
import dev.outpost.lab.wan.WanLink;
import dev.outpost.lab.wan.WanMode;
import dev.outpost.lab.wan.WanNetwork;
import dev.outpost.proxy.http.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last mile of a lab user: a {@link WanLink} in the CLI's own process from {@code 127.0.0.1}
 * to a region's edge, as a user near that region would reach it (anycast picks the nearest edge).
 * The edge's address is the one it registered for probes; the port is the URL's. {@link #openTo}
 * leads past the edge instead, to an address of any region, across the WAN as well.
 */
public final class AccessLink implements AutoCloseable {
    /** A user's distance to their nearest edge unless {@code --access} says otherwise. */
    public static final Duration DEFAULT_ONE_WAY = Duration.ofMillis(5);

    private final LinkLoops loops;
    private final WanLink link;

    private AccessLink(LinkLoops loops, WanLink link) {
        this.loops = loops;
        this.link = link;
    }

    /** Opens a link with {@code oneWay} each way to {@code region}'s edge on {@code url}'s port. */
    public static AccessLink open(ApiClient api, String region, URI url, Duration oneWay) throws CliException, ApiException {
        regionCodes(api, region);
        URI probe = probeAddress(edge(api, region));
        return open(new InetSocketAddress(probe.getHost(), port(url)), oneWay.multipliedBy(2));
    }

    /**
     * Opens a link past the edge, straight to {@code target}, as a user near {@code region} reaches
     * a server without Outpost: its access link, then the WAN from {@code region} to the region
     * owning {@code target} ({@link WanNetwork#regionOf(List, java.net.InetAddress)}), in the mode
     * the lab runs ({@link WanMode#recognize}, from what {@code region}'s edge measured). One link
     * carries the sum of both round trips: a real SYN crosses the whole path, so the handshake is
     * charged once for all of it, as a chain of two links would not.
     */
    public static AccessLink openTo(ApiClient api, String region, InetSocketAddress target, Duration oneWay)
            throws CliException, ApiException {
        List<String> regions = regionCodes(api, region);
        String owner = WanNetwork.regionOf(regions, target.getAddress()).orElseThrow(() -> new CliException(
                "--to " + target.getAddress().getHostAddress() + ":" + target.getPort() + ": no region owns "
                        + target.getAddress().getHostAddress() + " (" + addressPlan(regions) + ")", CliException.USAGE));
        Duration wan = Duration.ZERO;
        if (!owner.equals(region)) {
            EdgeInfo edge = edge(api, region);
            Map<String, Double> measured = new HashMap<>();
            edge.rtt().forEach((r, rtt) -> {
                if (rtt.reachable()) {
                    measured.put(r, rtt.millis());
                }
            });
            WanMode mode = WanMode.recognize(region, measured).orElseThrow(() -> new CliException("edge " + edge.id() + " of region "
                    + region + " has not measured its round trips to the other regions yet (it probes them every few seconds): retry shortly"));
            wan = mode.rtt(region, owner);
        }
        return open(target, oneWay.multipliedBy(2).plus(wan));
    }

    /** The lab's addresses, for errors: which block each region owns ({@code outpost dev}'s plan, DESIGN §10). */
    static String addressPlan(List<String> regions) {
        StringBuilder plan = new StringBuilder("the lab's regions own ");
        for (int i = 0; i < regions.size(); i++) {
            plan.append(i == 0 ? "" : ", ").append("127.").append(i + 1).append(".0.0/16 ").append(regions.get(i));
        }
        return plan.append(", and 127.0.0.1, the server, is in ").append(regions.get(0)).toString();
    }

    private static AccessLink open(InetSocketAddress destination, Duration rtt) {
        LinkLoops loops = new LinkLoops(Transport.best(), 1, "access");
        try {
            return new AccessLink(loops, WanLink.open(loops, "127.0.0.1", destination, rtt));
        } catch (RuntimeException e) {
            loops.close();
            throw e;
        }
    }

    /** Where to connect instead of the URL's host to reach the edge across the access link. */
    public InetSocketAddress address() {
        return link.address();
    }

    public InetSocketAddress edge() {
        return link.destination();
    }

    /** 80 or 443 when the URL names no port; rejects anything but http and https. */
    static int port(URI url) throws CliException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new CliException("URL " + url + " must start with http:// or https://", CliException.USAGE);
        }
        if (url.getHost() == null) {
            throw new CliException("URL " + url + " names no host, e.g. http://hello.outpost.localhost:8080/", CliException.USAGE);
        }
        return url.getPort() > 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    }

    /** The platform's regions in their order; rejects a {@code --from} that is none of them. */
    private static List<String> regionCodes(ApiClient api, String region) throws CliException, ApiException {
        List<String> regions = api.regions().stream().map(RegionInfo::code).toList();
        if (!regions.contains(region)) {
            throw new CliException("--from " + region + ": not a region of this platform (regions: "
                    + String.join(", ", regions) + ")", CliException.USAGE);
        }
        return regions;
    }

    private static EdgeInfo edge(ApiClient api, String region) throws CliException, ApiException {
        // The edge heard from last is the likeliest to be up.
        return api.edges().edges().stream()
                .filter(e -> e.region().equals(region))
                .max(Comparator.comparing(EdgeInfo::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())))
                .orElseThrow(() -> new CliException("region " + region + " has no edge registered yet: is `outpost dev` running?"));
    }

    private static URI probeAddress(EdgeInfo edge) throws CliException {
        URI probe = URI.create("tcp://" + edge.probeAddress());
        if (probe.getHost() == null) {
            throw new CliException("edge " + edge.id() + " of region " + edge.region() + " registered an unusable address " + edge.probeAddress());
        }
        return probe;
    }

    @Override
    public void close() {
        link.close();
        loops.close();
    }
}
