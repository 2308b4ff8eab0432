package dev.outpost.server.autoscaler;

import java.time.Instant;

/**
 * The demand arriving at one region's edges during one second, summed over those edges.
 *
 * @param second            the second, by the server's clock when the reports arrived
 * @param requestsPerSecond requests arriving, wherever they were served
 * @param connections       user connections open at the region's edges
 * @param remotePerSecond   of those requests, the ones sent to another region
 * @param unservedPerSecond of those requests, the ones that waited for capacity or got a 503 for lack of it
 */
public record DemandSample(Instant second, double requestsPerSecond, long connections, double remotePerSecond,
                           double unservedPerSecond) {}
