package dev.outpost.agent.driver.process;

import java.time.Instant;

/**
 * What the driver writes to {@code <dataDir>/instances/<id>/instance.json} once a process runs, so
 * a restarted agent can find it again: the pid plus its start time, because pids get reused.
 */
public record InstanceRecord(String instanceId, String app, int release, long pid, Instant processStart,
                             String address, int port) {}
