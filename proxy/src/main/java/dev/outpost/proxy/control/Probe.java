package dev.outpost.proxy.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** One round trip to a peer edge's probe endpoint; the narrow seam {@link PeerProber} is tested through. */
@FunctionalInterface
public interface Probe {
    /** The time from sending the request to reading the whole answer; throws when there is no good answer in time. */
    Duration roundTrip(InetSocketAddress peer) throws IOException;
}
