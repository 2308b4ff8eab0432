package dev.outpost.core.api;

import dev.outpost.core.model.Health;
import dev.outpost.core.model.InstanceState;
import java.time.Instant;
import java.util.List;

/**
 * {@code PUT /v1/instances/{id}/report}: what the agent saw. {@code address}/{@code port} once the
 * instance listens; {@code exitCode}, {@code message} and {@code logTail} when it exited or a
 * check failed; {@code restarts} counts restarts since it was placed. {@code observedAt} is when the
 * agent saw this state (its clock; a retried report keeps it): the meter starts and ends run
 * intervals then, not when the server got the report. Null from older agents: the server's time.
 */
public record InstanceReport(InstanceState state, Health health, String address, Integer port, Integer exitCode,
                             String message, int restarts, List<String> logTail, Instant observedAt) {
    public InstanceReport {
        logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }

    /** A report without an observation time: the server takes the time it got it. */
    public InstanceReport(InstanceState state, Health health, String address, Integer port, Integer exitCode,
                          String message, int restarts, List<String> logTail) {
        this(state, health, address, port, exitCode, message, restarts, logTail, null);
    }
}
