package dev.outpost.lab.user;

import dev.outpost.cli.CliException;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.lab.wan.LinkLoops;
import dev.outpost.lab.wan.WanLink;
import dev.outpost.proxy.http.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The last mile of a lab user: a {@link WanLink} in the CLI's own process from {@code 127.0.0.1}
 * to a region's edge, as a user near that region would reach it (anycast picks the nearest edge).
 * The edge's address is the one it registered for probes; the port is the URL's.
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
        InetSocketAddress edge = edge(api, region, port(url));
        LinkLoops loops = new LinkLoops(Transport.best(), 1, "access");
        try {
            return new AccessLink(loops, WanLink.open(loops, "127.0.0.1", edge, oneWay.multipliedBy(2)));
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

    private static InetSocketAddress edge(ApiClient api, String region, int port) throws CliException, ApiException {
        List<RegionInfo> regions = api.regions();
        if (regions.stream().noneMatch(r -> r.code().equals(region))) {
            throw new CliException("--from " + region + ": not a region of this platform (regions: "
                    + String.join(", ", regions.stream().map(RegionInfo::code).toList()) + ")", CliException.USAGE);
        }
        // The edge heard from last is the likeliest to be up.
        EdgeInfo edge = api.edges().edges().stream()
                .filter(e -> e.region().equals(region))
                .max(Comparator.comparing(EdgeInfo::lastSeen, Comparator.nullsFirst(Comparator.naturalOrder())))
                .orElseThrow(() -> new CliException("region " + region + " has no edge registered yet: is `outpost dev` running?"));
        URI probe = URI.create("tcp://" + edge.probeAddress());
        if (probe.getHost() == null) {
            throw new CliException("edge " + edge.id() + " of region " + region + " registered an unusable address " + edge.probeAddress());
        }
        return new InetSocketAddress(probe.getHost(), port);
    }

    @Override
    public void close() {
        link.close();
        loops.close();
    }
}
