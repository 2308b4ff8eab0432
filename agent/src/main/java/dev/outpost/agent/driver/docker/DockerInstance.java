package dev.outpost.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.process.LogTail;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a container: from a start (or a re-adoption) to its exit. It waits on the Engine for the
 * exit code, which the Engine knows also for containers an earlier agent started, and completes
 * {@link #exited()} only once the log stream drained, so a failure report carries the last lines.
 */
final class DockerInstance implements InstanceHandle {
    private static final Logger LOG = LoggerFactory.getLogger(DockerInstance.class);
    /** How long the log stream may lag behind the exit before the exit is reported anyway. */
    private static final Duration LOG_DRAIN = Duration.ofSeconds(2);
    private static final Duration WAIT_RETRY = Duration.ofSeconds(1);

    private final DockerClient docker;
    private final String instanceId;
    private final String containerId;
    private final String address;
    private final int port;
    private final int internalPort;
    private final String containerIp;
    private final Path logFile;
    private final ContainerLogs logs;
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private volatile WaitContainerResultCallback waiting;
    private volatile boolean released;

    DockerInstance(DockerClient docker, String instanceId, String containerId, String address, int port, int internalPort,
                   String containerIp, Path logFile, ContainerLogs logs) {
        this.docker = docker;
        this.instanceId = instanceId;
        this.containerId = containerId;
        this.address = address;
        this.port = port;
        this.internalPort = internalPort;
        this.containerIp = containerIp;
        this.logFile = logFile;
        this.logs = logs;
    }

    /** Starts waiting for the exit on a virtual thread. */
    DockerInstance watch() {
        Thread.ofVirtual().name("container-wait-" + instanceId).start(this::awaitExit);
        return this;
    }

    String containerId() {
        return containerId;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int instancePort() {
        return internalPort;
    }

    @Override
    public String probeAddress() {
        return containerIp == null ? address : containerIp;
    }

    @Override
    public int probePort() {
        return containerIp == null ? port : internalPort;
    }

    @Override
    public CompletableFuture<Integer> exited() {
        return exited;
    }

    @Override
    public List<String> logTail(int lines) {
        return LogTail.read(logFile, lines);
    }

    /** Stops watching (the agent is closing or the container is gone on purpose); {@link #exited()} stays open. */
    void release() {
        released = true;
        WaitContainerResultCallback w = waiting;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                LOG.warn("cannot close the exit wait of container {}: {}", containerId, e.toString());
            }
        }
        logs.close();
    }

    /** Waits until the log stream ended after the container stopped. */
    void awaitLogs() {
        logs.awaitEnd(LOG_DRAIN);
    }

    private void awaitExit() {
        while (!released) {
            try {
                WaitContainerResultCallback w = docker.waitContainerCmd(containerId).exec(new WaitContainerResultCallback());
                waiting = w;
                Integer code = w.awaitStatusCode();
                logs.awaitEnd(LOG_DRAIN);
                exited.complete(code);
                return;
            } catch (NotFoundException e) {
                // Removed under us (docker rm -f): it is gone, with no exit code to tell.
                logs.close();
                exited.complete(null);
                return;
            } catch (RuntimeException e) {
                if (released) {
                    return;
                }
                // The Engine restarted or the connection broke; the container may well still run.
                if (!stillRunning()) {
                    logs.awaitEnd(LOG_DRAIN);
                    exited.complete(lastExitCode());
                    return;
                }
                LOG.warn("waiting for container {} of instance {} failed, waiting again: {}", containerId, instanceId, e.toString());
                try {
                    Thread.sleep(WAIT_RETRY);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private boolean stillRunning() {
        try {
            InspectContainerResponse c = docker.inspectContainerCmd(containerId).exec();
            return Boolean.TRUE.equals(c.getState().getRunning());
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            return true; // the Engine does not answer: assume it still runs and ask again
        }
    }

    private Integer lastExitCode() {
        try {
            Long code = docker.inspectContainerCmd(containerId).exec().getState().getExitCodeLong();
            return code == null ? null : code.intValue();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "container " + containerId.substring(0, Math.min(12, containerId.length())) + " of instance " + instanceId;
    }
}
