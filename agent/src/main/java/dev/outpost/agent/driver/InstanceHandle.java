package dev.outpost.agent.driver;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A running (or exited) instance as its driver sees it. */
public interface InstanceHandle {

    String instanceId();

    /** The address the instance serves on. */
    String address();

    /** The port the instance serves on at {@link #address()}: what the agent reports and proxies connect to. */
    int port();

    /**
     * The port the instance itself listens on, as its {@code PORT} says: the same as {@link #port()}
     * for a process, the {@code internal_port} inside its container for an image.
     */
    default int instancePort() {
        return port();
    }

    /**
     * Where the agent checks that the instance listens and runs its checks. A container is probed on
     * its own address, not its published port: Docker's userland proxy accepts connections on the
     * published port even when nothing listens behind it.
     */
    default String probeAddress() {
        return address();
    }

    /** The port to probe at {@link #probeAddress()}. */
    default int probePort() {
        return port();
    }

    /**
     * Completes when the instance exited, with its exit code, or with {@code null} when the runtime
     * cannot know it (e.g. a process re-adopted after an agent restart is not our child).
     */
    CompletableFuture<Integer> exited();

    /** The last {@code lines} lines the instance wrote to stdout and stderr, oldest first. */
    List<String> logTail(int lines);
}
