package dev.outpost.core.model;

import java.time.Instant;
import java.util.List;

/**
 * One copy of a release in one region on one host. {@code desired} is the scheduler's wish,
 * {@code state}/{@code health} what the agent last reported; {@code address}:{@code port} is where
 * the proxy reaches it (known once started). {@code logTail} holds the last output lines the agent
 * sent with a failure.
 */
public record Instance(String id, String app, int release, String region, String hostId, String address, Integer port,
                       InstanceState state, DesiredState desired, Health health, Integer exitCode, String message,
                       int restarts, List<String> logTail, Instant createdAt, Instant updatedAt) {

    public Instance {
        logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }

    /** Started, checks passing, and wanted running: the proxy may send it traffic. */
    public boolean routable() {
        return state == InstanceState.STARTED && health == Health.PASSING && desired == DesiredState.RUNNING
                && address != null && port != null;
    }

    public Instance withDesired(DesiredState d) {
        return new Instance(id, app, release, region, hostId, address, port, state, d, health, exitCode, message,
                restarts, logTail, createdAt, updatedAt);
    }
}
