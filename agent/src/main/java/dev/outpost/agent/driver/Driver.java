package dev.outpost.agent.driver;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A runtime that runs instances on this host: the agent's only view of processes, containers or
 * VMs. Implementations are thread-safe; every instance is named by its instance id.
 */
public interface Driver {

    /** A short name for logs and config, e.g. {@code process} or {@code docker}. */
    String name();

    /**
     * Starts the instance and returns at once, once it was launched (not once it listens). An
     * instance that is already running under this id is an error.
     */
    InstanceHandle start(InstanceSpec spec) throws DriverException;

    /**
     * Asks the instance to stop (SIGTERM or the runtime's equivalent), forces it after
     * {@code timeout}, and returns once it is gone. Stopping an unknown instance does nothing.
     */
    void stop(String instanceId, Duration timeout) throws DriverException;

    /** Stops the instance if it runs and removes everything {@link #start} left on the host. */
    void destroy(String instanceId) throws DriverException;

    /**
     * Every instance this driver runs on the host, including ones started by an earlier agent
     * process, so that a restarted agent re-adopts them instead of starting copies.
     */
    List<InstanceHandle> list();

    /**
     * The ids of every instance this driver keeps anything of on the host: running, stopped (a kept
     * container) or only files. A restarted agent removes those no longer assigned to it, so nothing
     * is orphaned while it was away.
     */
    default Set<String> present() {
        Set<String> ids = new HashSet<>();
        list().forEach(h -> ids.add(h.instanceId()));
        return ids;
    }
}
