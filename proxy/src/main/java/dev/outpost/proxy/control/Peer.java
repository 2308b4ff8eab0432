package dev.outpost.proxy.control;

import java.net.InetSocketAddress;

/** A peer edge as the server lists it: its id, region and where it answers probes. */
public record Peer(String id, String region, InetSocketAddress probeAddress) {
    public Peer {
        if (id == null || id.isBlank() || region == null || region.isBlank() || probeAddress == null) {
            throw new IllegalArgumentException("a peer edge needs an id, a region and a probe address, got " + id + ", " + region
                    + ", " + probeAddress);
        }
    }
}
