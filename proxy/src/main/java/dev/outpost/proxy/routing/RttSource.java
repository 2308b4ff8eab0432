package dev.outpost.proxy.routing;

import dev.outpost.core.region.RegionCatalog;
import java.util.OptionalInt;

/**
 * Round-trip times from this proxy's region to the others, by which the routing table orders the
 * regions an app is served from after the local one (DESIGN §6.3). Today the table of DESIGN §10
 * ({@link #catalog()}); the measured probes of the edge-proxy issue plug in here.
 */
@FunctionalInterface
public interface RttSource {

    /** Milliseconds from {@code from} to {@code to}; empty when unknown (such regions are tried last). */
    OptionalInt rttMillis(String from, String to);

    /** The fixed table of {@link RegionCatalog}. */
    static RttSource catalog() {
        return (from, to) -> {
            try {
                return OptionalInt.of(RegionCatalog.rttMillis(from, to));
            } catch (IllegalArgumentException unknown) {
                return OptionalInt.empty();
            }
        };
    }
}
