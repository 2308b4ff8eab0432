package dev.outpost.core.api;

import java.time.Instant;
import java.util.List;

/**
 * {@code POST /v1/load}: what one edge proxy saw during the last second (at most one report per second
 * per edge), per app: the demand arriving at this edge and the load on the instances it serves. The
 * autoscaler reads demand by the edge's {@code region}, where the users are, whichever region served them.
 *
 * @param region the edge's region
 * @param edge   the edge's id (several edges may serve one region; their demand adds up)
 * @param at     when the second ended, by the edge's clock (the server files reports by its own)
 * @param apps   apps that had traffic or open connections at this edge, or instances to report
 */
public record LoadReport(String region, String edge, Instant at, List<AppLoad> apps) {
    public LoadReport {
        apps = apps == null ? List.of() : List.copyOf(apps);
    }
}
