package dev.outpost.agent.driver.process;

import dev.outpost.agent.driver.InstanceHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A process the driver started (a child, exit code known) or re-adopted (exit code unknown). */
final class ProcessInstance implements InstanceHandle {
    private final InstanceRecord record;
    private final ProcessHandle process;
    private final Path log;
    private final CompletableFuture<Integer> exited;

    /** A child of this JVM: its exit code is known. */
    ProcessInstance(InstanceRecord record, Process child, Path log) {
        this.record = record;
        this.process = child.toHandle();
        this.log = log;
        this.exited = child.onExit().thenApply(Process::exitValue);
    }

    /**
     * A process started by an earlier agent: only its end can be observed, not its exit code; a
     * zombie counts as ended (nobody may reap it).
     */
    ProcessInstance(InstanceRecord record, ProcessHandle adopted, Path log) {
        this.record = record;
        this.process = adopted;
        this.log = log;
        this.exited = Liveness.ended(adopted).thenApply(p -> null);
    }

    @Override
    public String instanceId() {
        return record.instanceId();
    }

    @Override
    public String address() {
        return record.address();
    }

    @Override
    public int port() {
        return record.port();
    }

    @Override
    public CompletableFuture<Integer> exited() {
        return exited;
    }

    @Override
    public List<String> logTail(int lines) {
        return LogTail.read(log, lines);
    }

    ProcessHandle process() {
        return process;
    }

    @Override
    public String toString() {
        return "process " + record.pid() + " of instance " + record.instanceId();
    }
}
