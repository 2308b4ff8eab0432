package dev.outpost.core.api;

import dev.outpost.core.model.Health;
import dev.outpost.core.model.InstanceState;
import java.util.List;

/**
 * {@code PUT /v1/instances/{id}/report}: what the agent saw. {@code address}/{@code port} once the
 * instance listens; {@code exitCode}, {@code message} and {@code logTail} when it exited or a
 * check failed; {@code restarts} counts restarts since it was placed.
 */
public record InstanceReport(InstanceState state, Health health, String address, Integer port, Integer exitCode,
                             String message, int restarts, java.util.List<String> logTail) {
    public InstanceReport {
        logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }
}
