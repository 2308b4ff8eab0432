package dev.outpost.agent.logs;

import dev.outpost.agent.control.ControlPlaneException;
import dev.outpost.core.api.LogBatch;

/** Where shipped lines go: {@code POST /v1/logs} in production ({@code ControlPlane::shipLogs}). */
@FunctionalInterface
public interface LogSink {
    /** Delivers one batch; returns once the server stored it. */
    void ship(LogBatch batch) throws ControlPlaneException, InterruptedException;
}
