package dev.outpost.proxy.control;

import dev.outpost.core.api.RegionRtt;
import dev.outpost.proxy.routing.RttSource;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The round trips this edge measured, as the routing table orders regions by them (DESIGN §6.3):
 * a region whose edges answer is at its smoothed RTT (whole milliseconds, rounded up so a
 * measured region is never taken for the local one); a region whose every edge failed three
 * probes in a row is unknown, so it is tried last; a region not measured yet (no edge registered
 * there, or no probe answered so far) falls back to the fixed table of {@link RttSource#catalog()}.
 * Only distances from this edge's own region are measured; any other {@code from} uses the table.
 */
public final class MeasuredRtt implements RttSource {
    private final String localRegion;
    private final RttSource fallback = RttSource.catalog();
    private volatile Map<String, RegionRtt> measured = Map.of();

    public MeasuredRtt(String localRegion) {
        this.localRegion = localRegion;
    }

    @Override
    public OptionalInt rttMillis(String from, String to) {
        if (!from.equals(localRegion)) {
            return fallback.rttMillis(from, to);
        }
        RegionRtt rtt = measured.get(to);
        if (rtt == null) {
            return fallback.rttMillis(from, to);
        }
        return rtt.reachable() ? OptionalInt.of((int) Math.max(1, Math.ceil(rtt.millis()))) : OptionalInt.empty();
    }

    /** What was measured, by region: what the edge reports with its heartbeat. */
    public Map<String, RegionRtt> snapshot() {
        return measured;
    }

    void publish(Map<String, RegionRtt> regions) {
        this.measured = Map.copyOf(regions);
    }
}
