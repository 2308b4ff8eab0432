package dev.outpost.lab.control;

/**
 * One part of {@code outpost dev} (the server, a region's agent, a region's edge proxy) that the lab
 * can stop and start again: a starter that builds and starts it, and the running handle it
 * returned, if any. Thread-safe.
 */
public final class DevPart implements AutoCloseable {
    /** A started part. */
    public interface Running extends AutoCloseable {
        /** What {@code outpost lab stop} does: {@link #close()} unless the part fails another way (an agent crashes). */
        default void stop() throws Exception {
            close();
        }
    }

    /** Builds and starts the part; what it throws is the reason it cannot start. */
    @FunctionalInterface
    public interface Starter {
        Running start() throws Exception;
    }

    private final String kind;
    private final String region;
    private final Starter starter;
    private final boolean stopLeavesWork;
    private Running running;
    /** Stopped the lab's way with something left running that only a start and close clean up. */
    private boolean leftRunning;

    /** {@code region} is null for the server. */
    public DevPart(String kind, String region, Starter starter) {
        this(kind, region, starter, false);
    }

    /**
     * {@code stopLeavesWork}: the lab's stop leaves something running (a crashed agent's instances)
     * that {@link #close} cleans up by starting the part once more and closing it.
     */
    public DevPart(String kind, String region, Starter starter, boolean stopLeavesWork) {
        this.kind = kind;
        this.region = region;
        this.starter = starter;
        this.stopLeavesWork = stopLeavesWork;
    }

    /** {@code server}, {@code agent}, {@code proxy}. */
    public String kind() {
        return kind;
    }

    /** The part's region; null for the server. */
    public String region() {
        return region;
    }

    /** As the CLI names it: {@code server}, {@code agent iad}. */
    public String name() {
        return region == null ? kind : kind + " " + region;
    }

    public synchronized boolean running() {
        return running != null;
    }

    /**
     * Starts the part.
     *
     * @throws IllegalStateException when it already runs
     * @throws Exception what the starter threw; the part stays stopped
     */
    public synchronized void start() throws Exception {
        if (running != null) {
            throw new IllegalStateException(name() + " is already running");
        }
        running = starter.start();
        leftRunning = false;
    }

    /**
     * Stops the part the lab's way ({@link Running#stop()}).
     *
     * @throws IllegalStateException when it is not running
     */
    public synchronized void stop() throws Exception {
        if (running == null) {
            throw new IllegalStateException(name() + " is not running");
        }
        Running r = running;
        running = null;
        leftRunning = stopLeavesWork;
        r.stop();
    }

    /**
     * Closes the part for good (the platform shutting down): if it runs, or if the lab's stop left
     * work behind, e.g. a halted agent's instances, which a new agent adopts and stops.
     */
    @Override
    public synchronized void close() throws Exception {
        if (running == null && leftRunning) {
            start();
        }
        Running r = running;
        running = null;
        if (r != null) {
            r.close();
        }
    }
}
