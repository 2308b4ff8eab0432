package dev.outpost.proxy.routing;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.region.RegionCatalog;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of where each app's traffic may go, as seen from one region: app →
 * instances grouped by region, the local region first, then the others by round-trip time
 * (an {@link RttSource}, by default {@link RegionCatalog#rttMillis}), regions it does not know last. The proxy swaps
 * whole snapshots; a request keeps the upstream it picked from the snapshot it read.
 */
public final class RoutingTable {
    private final long index;
    private final String localRegion;
    private final Map<String, AppRoutes> apps;
    private final Map<String, String> suspended;
    private final Map<UpstreamKey, Upstream> upstreams;

    /**
     * The routes of one app, its regions ordered nearest first.
     *
     * @param softLimit load above which an instance is chosen only when none is below it
     * @param hardLimit load at which an instance takes nothing more; both {@code <= 0} in the wire
     *                  table mean no limit and are stored as {@link Integer#MAX_VALUE}
     * @param h2Backend the instances speak HTTP/2 with prior knowledge (h2c): requests go to them as streams
     * @param autostart a request that finds no instance with room may start one of {@code stopped}
     * @param stopped   the instances an edge may start on demand, nearest first (the local region, then by round-trip time)
     * @param responseTimeoutNanos how long to wait for an instance's response head once the whole request reached it
     * @param grpcResponseTimeoutNanos the same for a gRPC call: 0 (not timed) unless the app set {@code response_timeout}
     */
    public record AppRoutes(String app, int softLimit, int hardLimit, Concurrency concurrency, List<RegionTargets> regions,
                            boolean h2Backend, boolean autostart, List<Stopped> stopped, long responseTimeoutNanos,
                            long grpcResponseTimeoutNanos) {
        public AppRoutes {
            regions = List.copyOf(regions);
            stopped = stopped == null ? List.of() : List.copyOf(stopped);
            hardLimit = hardLimit <= 0 ? Integer.MAX_VALUE : hardLimit;
            softLimit = softLimit <= 0 || softLimit > hardLimit ? hardLimit : softLimit;
            if (responseTimeoutNanos <= 0) {
                throw new IllegalArgumentException("response timeout must be positive, got " + responseTimeoutNanos + " ns");
            }
            if (grpcResponseTimeoutNanos < 0) {
                throw new IllegalArgumentException("gRPC response timeout must be 0 or positive, got " + grpcResponseTimeoutNanos + " ns");
            }
        }

        /** With {@code responseTimeout} as the app set it, or null: {@code otherwise} for HTTP, none for gRPC. */
        public AppRoutes(String app, int softLimit, int hardLimit, Concurrency concurrency, List<RegionTargets> regions,
                         boolean h2Backend, boolean autostart, List<Stopped> stopped, Duration responseTimeout, Duration otherwise) {
            this(app, softLimit, hardLimit, concurrency, regions, h2Backend, autostart, stopped,
                    (responseTimeout == null ? otherwise : responseTimeout).toNanos(),
                    responseTimeout == null ? 0 : responseTimeout.toNanos());
        }

        /** An app whose instances speak HTTP/1.1, with the default response timeout. */
        public AppRoutes(String app, int softLimit, int hardLimit, Concurrency concurrency, List<RegionTargets> regions) {
            this(app, softLimit, hardLimit, concurrency, regions, false, false, List.of(), null,
                    AppConfig.Service.DEFAULT_RESPONSE_TIMEOUT);
        }

        /** Autostart is on and there is an instance to start. */
        public boolean canAutostart() {
            return autostart && !stopped.isEmpty();
        }

        /** The instance with this id, if it is listed. */
        public Optional<Upstream> instance(String instanceId) {
            for (RegionTargets region : regions) {
                for (Upstream u : region.upstreams()) {
                    if (u.instanceId().equals(instanceId)) {
                        return Optional.of(u);
                    }
                }
            }
            return Optional.empty();
        }

        /** True when this very upstream (same object: same instance, address and port) is listed. */
        public boolean lists(Upstream upstream) {
            for (RegionTargets region : regions) {
                if (region.upstreams().contains(upstream)) {
                    return true;
                }
            }
            return false;
        }

        /** True when no instance is listed in any region: the app is known but cannot be served. */
        public boolean isEmpty() {
            return regions.isEmpty();
        }

        /** Every instance, nearest region first. */
        public List<Upstream> upstreams() {
            return regions.stream().flatMap(r -> r.upstreams().stream()).toList();
        }
    }

    /**
     * The instances of an app in one region.
     *
     * @param rttMillis round-trip time from the local region, {@code -1} when the {@link RttSource} does not know it
     */
    public record RegionTargets(String region, int rttMillis, List<Upstream> upstreams) {
        public RegionTargets {
            upstreams = List.copyOf(upstreams);
        }
    }

    /**
     * An instance of an app that takes no traffic now but may be started on demand.
     *
     * @param rttMillis round-trip time from the local region, {@code -1} when unknown
     */
    public record Stopped(String instanceId, String region, int rttMillis) {}

    /** Local region first, then by round-trip time (unknown last), then by name: the order requests try regions in. */
    private static <T> Comparator<T> nearestFirst(String localRegion, java.util.function.Function<T, String> region,
                                                  java.util.function.ToIntFunction<T> rtt) {
        return Comparator.comparing((T t) -> !region.apply(t).equals(localRegion))
                .thenComparingLong(t -> rtt.applyAsInt(t) < 0 ? Long.MAX_VALUE : rtt.applyAsInt(t))
                .thenComparing(region);
    }

    private record UpstreamKey(String instanceId, String address, int port) {}

    private RoutingTable(long index, String localRegion, Map<String, AppRoutes> apps, Map<UpstreamKey, Upstream> upstreams) {
        this(index, localRegion, apps, upstreams, Map.of());
    }

    private RoutingTable(long index, String localRegion, Map<String, AppRoutes> apps, Map<UpstreamKey, Upstream> upstreams,
                         Map<String, String> suspended) {
        this.suspended = suspended;
        this.index = index;
        this.localRegion = localRegion;
        this.apps = apps;
        this.upstreams = upstreams;
    }

    /** The table before the first update: it knows no app. */
    public static RoutingTable empty(String localRegion) {
        return new RoutingTable(-1, localRegion, Map.of(), Map.of());
    }

    /**
     * Builds the snapshot for a proxy in {@code localRegion}. Instances already listed in
     * {@code previous} (same id, address and port) keep their {@link Upstream}, with its in-flight
     * count and ejection.
     */
    public static RoutingTable from(dev.outpost.core.api.RoutingTable wire, String localRegion, RoutingTable previous) {
        return from(wire, localRegion, previous, RttSource.catalog(), AppConfig.Service.DEFAULT_RESPONSE_TIMEOUT);
    }

    /** As {@link #from(dev.outpost.core.api.RoutingTable, String, RoutingTable)}, ordering regions by {@code rtt}. */
    public static RoutingTable from(dev.outpost.core.api.RoutingTable wire, String localRegion, RoutingTable previous,
                                    RttSource rtt) {
        return from(wire, localRegion, previous, rtt, AppConfig.Service.DEFAULT_RESPONSE_TIMEOUT);
    }

    /**
     * As {@link #from(dev.outpost.core.api.RoutingTable, String, RoutingTable)}, ordering regions by {@code rtt};
     * apps that set no response timeout get {@code responseTimeout} for HTTP requests, and none for gRPC calls.
     */
    public static RoutingTable from(dev.outpost.core.api.RoutingTable wire, String localRegion, RoutingTable previous,
                                    RttSource rtt, Duration responseTimeout) {
        Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
        Map<String, AppRoutes> apps = new LinkedHashMap<>();
        for (dev.outpost.core.api.RoutingTable.AppRoute route : wire.apps()) {
            Map<String, List<Upstream>> byRegion = new HashMap<>();
            for (dev.outpost.core.api.RoutingTable.Target t : route.targets()) {
                UpstreamKey key = new UpstreamKey(t.instanceId(), t.address(), t.port());
                Upstream u = upstreams.computeIfAbsent(key, k -> {
                    Upstream known = previous.upstreams.get(k);
                    // An IP literal resolves without a lookup; a host name is looked up here, off the event loops.
                    return known != null ? known
                            : new Upstream(t.instanceId(), t.region(), new InetSocketAddress(t.address(), t.port()), t.release());
                });
                byRegion.computeIfAbsent(t.region(), r -> new ArrayList<>()).add(u);
            }
            List<RegionTargets> regions = new ArrayList<>();
            byRegion.forEach((region, list) -> regions.add(new RegionTargets(region,
                    region.equals(localRegion) ? 0 : rtt.rttMillis(localRegion, region).orElse(-1), list)));
            regions.sort(nearestFirst(localRegion, RegionTargets::region, RegionTargets::rttMillis));
            List<Stopped> stopped = new ArrayList<>();
            for (dev.outpost.core.api.RoutingTable.Target t : route.stopped()) {
                stopped.add(new Stopped(t.instanceId(), t.region(),
                        t.region().equals(localRegion) ? 0 : rtt.rttMillis(localRegion, t.region()).orElse(-1)));
            }
            stopped.sort(nearestFirst(localRegion, Stopped::region, Stopped::rttMillis));
            apps.put(route.app(), new AppRoutes(route.app(), route.softLimit(), route.hardLimit(),
                    Concurrency.parse(route.concurrencyType()), regions, route.h2Backend(), route.autostart(), stopped,
                    route.responseTimeout(), responseTimeout));
        }
        Map<String, String> suspended = new HashMap<>();
        wire.apps().stream().filter(r -> r.suspended() != null).forEach(r -> suspended.put(r.app(), r.suspended()));
        return new RoutingTable(wire.index(), localRegion, Map.copyOf(apps), Map.copyOf(upstreams), Map.copyOf(suspended));
    }

    /** The server's index this snapshot was built from; {@code -1} for {@link #empty}. */
    public long index() {
        return index;
    }

    public String localRegion() {
        return localRegion;
    }

    /** The app's routes, empty when no app of that name is deployed. */
    public Optional<AppRoutes> app(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    /**
     * Why the app is suspended (its monthly budget was reached), when it is: every request to it is
     * answered 503 with this sentence, which says when it resumes.
     */
    public Optional<String> suspended(String app) {
        return Optional.ofNullable(suspended.get(app));
    }

    public int appCount() {
        return apps.size();
    }
}
