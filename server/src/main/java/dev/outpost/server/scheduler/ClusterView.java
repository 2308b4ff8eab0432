package dev.outpost.server.scheduler;

import dev.outpost.core.model.App;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A read-only snapshot of what the scheduler decides from: apps with their releases (newest first),
 * hosts, every instance row, the instances with a restart pending ({@code outpost instances
 * restart}), and the time.
 */
public record ClusterView(List<App> apps, Map<String, List<Release>> releases, List<Host> hosts, List<Instance> instances,
                          Set<String> restartRequested, Instant now) {

    public ClusterView {
        restartRequested = restartRequested == null ? Set.of() : Set.copyOf(restartRequested);
    }

    /** A view with no restart pending. */
    public ClusterView(List<App> apps, Map<String, List<Release>> releases, List<Host> hosts, List<Instance> instances, Instant now) {
        this(apps, releases, hosts, instances, Set.of(), now);
    }
}
