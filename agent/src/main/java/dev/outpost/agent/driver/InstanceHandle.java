package dev.outpost.agent.driver;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A running (or exited) instance as its driver sees it. */
public interface InstanceHandle {

    String instanceId();

    /** The address the instance serves on. */
    String address();

    /** The port the instance was told to listen on. */
    int port();

    /**
     * Completes when the instance exited, with its exit code, or with {@code null} when the runtime
     * cannot know it (e.g. a process re-adopted after an agent restart is not our child).
     */
    CompletableFuture<Integer> exited();

    /** The last {@code lines} lines the instance wrote to stdout and stderr, oldest first. */
    List<String> logTail(int lines);
}
