package dev.outpost.agent.control;

import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.model.Host;
import java.io.InputStream;
import java.time.Duration;

/**
 * Everything the agent asks of the server. Narrow on purpose: the loop is tested against an
 * in-memory implementation, and production uses {@link ApiControlPlane}.
 */
public interface ControlPlane {

    /** Announces the host (also the heartbeat, every few seconds). */
    Host register(String hostId, RegisterHostRequest request) throws ControlPlaneException, InterruptedException;

    /**
     * Blocking query: answers as soon as the host's assignments changed after {@code index}, else
     * after {@code wait}, with the current assignments either way.
     */
    Assignments assignments(String hostId, long index, Duration wait) throws ControlPlaneException, InterruptedException;

    /** Tells the server what the agent saw of one instance. */
    void report(String instanceId, InstanceReport report) throws ControlPlaneException, InterruptedException;

    /** Opens the blob {@code digest} of {@code app}; the caller closes the stream and verifies the digest. */
    InputStream openBlob(String app, String digest) throws ControlPlaneException, InterruptedException;

    /** How the host's Docker Engine logs in to the server's registry to pull images. */
    RegistryLogin registryLogin();

    /** Stores instances' output lines ({@code POST /v1/logs}); returns once the server has them. */
    void shipLogs(dev.outpost.core.api.LogBatch batch) throws ControlPlaneException, InterruptedException;
}
