package dev.outpost.agent;

import dev.outpost.agent.blob.BlobException;
import dev.outpost.agent.check.InstanceChecks;
import dev.outpost.agent.check.Probe;
import dev.outpost.agent.check.TcpProbe;
import dev.outpost.agent.control.ControlPlaneException;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.core.Durations;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one instance on this host: an actor on its own virtual thread that takes events (a new
 * assignment, the process exited, the port answers, health changed, a timer fired) one at a time,
 * so its state needs no locks. It drives the instance through
 *
 * <pre>
 * created ─▶ starting ─▶ started ─(desired stopped, after the drain delay)─▶ stopped
 *               │           │
 *               └─▶ failed ◀┘ (exit, or 5 failing checks in a row) ─(backoff 1 s…30 s)─▶ starting
 * any ─(desired destroyed; after the drain delay when started)─▶ destroyed        any ─(unassigned)─▶ gone, directory removed
 * </pre>
 *
 * and reports each state to the server; a report the server did not take is retried with backoff,
 * only the latest one, since a report is a snapshot.
 */
final class InstanceSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceSupervisor.class);
    static final int LOG_TAIL_LINES = 20;

    private sealed interface Event {}

    private record Desired(Assignment assignment) implements Event {}

    private record Unassigned() implements Event {}

    private record Close() implements Event {}

    private record Halt() implements Event {}

    private record Exited(InstanceHandle handle, Integer exitCode) implements Event {}

    private record Listening(InstanceHandle handle) implements Event {}

    private record NotListening(InstanceHandle handle) implements Event {}

    private record HealthChanged(InstanceHandle handle, Health health, String message) implements Event {}

    private record FailingChecks(InstanceHandle handle, String message) implements Event {}

    private record RestartDue() implements Event {}

    private record DrainDone() implements Event {}

    private record RetryReport() implements Event {}

    private final String instanceId;
    private final HostRuntime host;
    private final LinkedBlockingQueue<Event> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;

    // Actor state: touched only by the supervisor's own thread.
    private Assignment assignment;
    private InstanceHandle handle;
    private InstanceChecks checks;
    private InstanceState state = InstanceState.CREATED;
    private Health health = Health.UNKNOWN;
    private int restarts;
    private final Backoff restartBackoff;
    private final Backoff reportBackoff;
    private Instant healthySince;
    private ScheduledFuture<?> restartTimer;
    private ScheduledFuture<?> drainTimer;
    /** An adopted instance that listened before its first assignment arrived. */
    private InstanceHandle listeningBeforeAssignment;
    private ScheduledFuture<?> reportTimer;
    private InstanceReport unsent;
    /** The state last reported and when the agent saw it begin: the meter's interval edges. */
    private InstanceState reportedState;
    private Instant reportedSince;
    private boolean done;
    /** Adopted from an earlier agent and not yet checked by this one: the server's view of its health stands. */
    private boolean adoptedUnchecked;

    /** {@code adopted} is the instance as a previous agent left it running, or null. */
    InstanceSupervisor(String instanceId, HostRuntime host, InstanceHandle adopted, Runnable onFinish) {
        this.instanceId = instanceId;
        this.host = host;
        this.restartBackoff = host.timing().backoff();
        this.reportBackoff = host.timing().backoff();
        this.thread = Thread.ofVirtual().name("instance-" + instanceId).unstarted(() -> {
            try {
                run(adopted);
            } finally {
                onFinish.run();
            }
        });
    }

    InstanceSupervisor start() {
        thread.start();
        return this;
    }

    /** The server's latest wish for this instance. */
    void desired(Assignment a) {
        inbox.add(new Desired(a));
    }

    /** The instance is no longer assigned to this host: stop it and remove its directory. */
    void unassigned() {
        inbox.add(new Unassigned());
    }

    /** Stops the instance (no drain, no report) and ends the supervisor; see {@link #await}. */
    void close() {
        inbox.add(new Close());
    }

    /**
     * Ends the supervisor and its checks but leaves the instance running and unreported, as a
     * crashed agent would: the next agent on this host re-adopts it. See {@link #await}.
     */
    void halt() {
        inbox.add(new Halt());
    }

    /** Waits for the supervisor to end; interrupts it if it does not within {@code timeout}. */
    void await(Duration timeout) throws InterruptedException {
        if (!thread.join(timeout)) {
            LOG.warn("supervisor of instance {} did not end within {}; interrupting it", instanceId, timeout);
            thread.interrupt();
            thread.join(Duration.ofSeconds(5));
        }
    }

    private void run(InstanceHandle adopted) {
        if (adopted != null) {
            state = InstanceState.STARTING;
            adoptedUnchecked = true;
            watch(adopted);
        }
        try {
            while (!done) {
                handle(inbox.take());
            }
        } catch (InterruptedException e) {
            LOG.warn("supervisor of instance {} interrupted; its process is left as it is", instanceId);
        } catch (RuntimeException e) {
            LOG.error("supervisor of instance {} broke down; stopping the instance", instanceId, e);
            stopProcess();
        } finally {
            cancelTimers();
            if (reportTimer != null) {
                reportTimer.cancel(false);
            }
        }
    }

    private void handle(Event event) throws InterruptedException {
        switch (event) {
            case Desired d -> {
                assignment = d.assignment();
                if (listeningBeforeAssignment != null && assignment.config() != null) {
                    listening(listeningBeforeAssignment);
                }
                reconcile();
            }
            case Unassigned u -> {
                cancelTimers();
                stopProcess();
                destroyFiles();
                LOG.info("instance {} is no longer assigned here; removed", instanceId);
                done = true;
            }
            case Close c -> {
                cancelTimers();
                stopProcess();
                done = true;
            }
            case Halt h -> {
                cancelTimers();
                closeChecks();
                done = true;
            }
            case Exited e -> exited(e);
            case Listening l -> listening(l.handle());
            case NotListening n -> notListening(n.handle());
            case HealthChanged h -> healthChanged(h);
            case FailingChecks f -> failingChecks(f);
            case RestartDue r -> {
                restartTimer = null;
                if (wanted() == DesiredState.RUNNING && handle == null) {
                    restarts++;
                    startInstance();
                }
            }
            case DrainDone d -> {
                drainTimer = null;
                if (wanted() == DesiredState.DESTROYED && state != InstanceState.DESTROYED) {
                    destroyNow();
                } else if (wanted() == DesiredState.STOPPED) {
                    stopProcess();
                    state = InstanceState.STOPPED;
                    health = Health.UNKNOWN;
                    report(null, null, List.of());
                }
            }
            case RetryReport r -> {
                reportTimer = null;
                if (unsent != null) {
                    send(unsent);
                }
            }
        }
    }

    private DesiredState wanted() {
        return assignment == null ? null : assignment.desired();
    }

    private void reconcile() throws InterruptedException {
        switch (assignment.desired()) {
            case RUNNING -> {
                cancel(drainTimer);
                drainTimer = null;
                if (handle == null && restartTimer == null && state != InstanceState.DESTROYED) {
                    startInstance();
                }
            }
            case STOPPED -> {
                cancel(restartTimer);
                restartTimer = null;
                if (handle != null) {
                    if (drainTimer == null) {
                        // Keep serving a little: the server already took it out of routing, and
                        // proxies need a moment to see that before the port goes away.
                        drainTimer = schedule(new DrainDone(), host.config().drainDelay());
                    }
                } else if (state != InstanceState.STOPPED && state != InstanceState.DESTROYED) {
                    state = InstanceState.STOPPED;
                    health = Health.UNKNOWN;
                    report(null, null, List.of());
                }
            }
            case DESTROYED -> {
                cancel(restartTimer);
                restartTimer = null;
                if (state == InstanceState.DESTROYED) {
                    return;
                }
                if (handle != null && state == InstanceState.STARTED) {
                    // A replaced or scaled-down instance may still have requests in flight: drain
                    // as for a stop, so proxies drop it before the port goes away.
                    if (drainTimer == null) {
                        drainTimer = schedule(new DrainDone(), host.config().drainDelay());
                    }
                } else {
                    destroyNow();
                }
            }
        }
    }

    private void destroyNow() {
        cancelTimers();
        stopProcess();
        destroyFiles();
        state = InstanceState.DESTROYED;
        health = Health.UNKNOWN;
        report(null, null, List.of());
    }

    private void startInstance() throws InterruptedException {
        state = InstanceState.STARTING;
        health = Health.UNKNOWN;
        healthySince = null;
        report(null, null, List.of());
        Assignment a = assignment;
        InstanceHandle started;
        try {
            // An image is pulled by its driver; only a source bundle is fetched here.
            boolean image = a.config().build().producesImage();
            Path bundle = image ? null : host.blobs().fetch(a.app(), a.artifactDigest());
            started = host.driver().start(new InstanceSpec(instanceId, a.app(), a.release(), a.artifactDigest(), bundle,
                    a.config().build().cmd(), a.env(), image, internalPort(a), a.config().vm().size()));
        } catch (BlobException | DriverException | IllegalArgumentException e) {
            LOG.warn("instance {} of {} v{} cannot start: {}", instanceId, a.app(), a.release(), e.getMessage());
            state = InstanceState.FAILED;
            report(null, e.getMessage(), List.of());
            scheduleRestart();
            return;
        }
        watch(started);
    }

    /** The first service's {@code internal_port}, else the default 8080. */
    private static int internalPort(Assignment a) {
        return a.config().services().isEmpty() ? InstanceSpec.DEFAULT_INTERNAL_PORT
                : a.config().services().getFirst().internalPort();
    }

    /**
     * Takes {@code h} as the current process: hears of its exit, of its port answering, and of its
     * port still not answering after the start timeout.
     */
    private void watch(InstanceHandle h) {
        handle = h;
        h.exited().whenComplete((code, error) -> inbox.add(new Exited(h, code)));
        Duration poll = host.timing().portPoll();
        long deadline = System.nanoTime() + host.timing().startTimeout().toNanos();
        Thread.ofVirtual().name("port-wait-" + instanceId).start(() -> {
            while (!h.exited().isDone()) {
                if (TcpProbe.accepts(h.probeAddress(), h.probePort(), poll)) {
                    inbox.add(new Listening(h));
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    inbox.add(new NotListening(h));
                    return;
                }
                try {
                    h.exited().get(poll.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // poll again
                } catch (InterruptedException e) {
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    return;
                }
            }
        });
    }

    private void listening(InstanceHandle h) {
        if (h != handle) {
            return;
        }
        if (assignment == null || assignment.config() == null) {
            // An adopted instance can answer before the first assignments arrive (or be on its way
            // out, with no config): its checks need the assignment's config, so the step waits
            // for one that has it (see the Desired event).
            listeningBeforeAssignment = h;
            return;
        }
        listeningBeforeAssignment = null;
        state = InstanceState.STARTED;
        List<Probe> probes = Probe.of(assignment.config(), h.probeAddress(), h.probePort(), host.checkHttp());
        if (probes.isEmpty()) {
            health = Health.PASSING; // no checks: accepting connections is all we can know
            healthySince = Instant.now();
        } else {
            health = Health.UNKNOWN;
            checks = new InstanceChecks(instanceId, probes, host.timing().failureThreshold(), new InstanceChecks.Listener() {
                @Override
                public void healthChanged(Health health, String message) {
                    inbox.add(new HealthChanged(h, health, message));
                }

                @Override
                public void failingRepeatedly(String message) {
                    inbox.add(new FailingChecks(h, message));
                }
            }).start();
        }
        if (adoptedUnchecked && !probes.isEmpty()) {
            // Re-adopted and answering: it served before this agent came, so it keeps its place in
            // routing (the server's last report of it) until its first check says otherwise.
            adoptedUnchecked = false;
            LOG.info("instance {} of {} v{} re-adopted on {}:{}; its health stands until its first check",
                    instanceId, assignment.app(), assignment.release(), h.address(), h.port());
            return;
        }
        adoptedUnchecked = false;
        LOG.info("instance {} of {} v{} started on {}:{}", instanceId, assignment.app(), assignment.release(), h.address(), h.port());
        report(null, null, List.of());
    }

    /** Runs but never listened: as good as crashed, and said so the way a deploy failure shows it. */
    private void notListening(InstanceHandle h) {
        if (h != handle || state != InstanceState.STARTING) {
            return;
        }
        String message = "nothing listening on " + h.instancePort() + " after " + Durations.format(host.timing().startTimeout());
        LOG.warn("instance {}: {}", instanceId, message);
        List<String> tail = h.logTail(LOG_TAIL_LINES);
        stopProcess();
        state = InstanceState.FAILED;
        health = Health.UNKNOWN;
        report(null, message, tail);
        if (wanted() == DesiredState.RUNNING) {
            scheduleRestart();
        }
    }

    private void healthChanged(HealthChanged h) {
        if (h.handle() != handle || state != InstanceState.STARTED) {
            return;
        }
        health = h.health();
        if (health == Health.PASSING) {
            if (healthySince == null) {
                healthySince = Instant.now();
            }
        } else {
            healthySince = null;
        }
        report(null, health == Health.FAILING ? h.message() : null, List.of());
    }

    private void failingChecks(FailingChecks f) {
        if (f.handle() != handle) {
            return;
        }
        InstanceHandle h = handle;
        LOG.warn("instance {} keeps failing its checks ({}); restarting it", instanceId, f.message());
        stopProcess();
        state = InstanceState.FAILED;
        health = Health.FAILING;
        report(null, "restarted after failing checks: " + f.message(), h.logTail(LOG_TAIL_LINES));
        scheduleRestart();
    }

    private void exited(Exited e) {
        if (e.handle() != handle) {
            return; // a process we stopped on purpose, or one already replaced
        }
        handle = null;
        closeChecks();
        if (wanted() == DesiredState.RUNNING || wanted() == null) {
            String message = e.exitCode() == null ? "exited (exit code unknown: adopted from an earlier agent)"
                    : "exited with code " + e.exitCode();
            LOG.warn("instance {} {}", instanceId, message);
            state = InstanceState.FAILED;
            health = Health.UNKNOWN;
            report(e.exitCode(), message, e.handle().logTail(LOG_TAIL_LINES));
            if (wanted() == DesiredState.RUNNING) {
                scheduleRestart();
            }
        } else if (wanted() == DesiredState.STOPPED) {
            cancel(drainTimer);
            drainTimer = null;
            state = InstanceState.STOPPED;
            health = Health.UNKNOWN;
            report(e.exitCode(), null, List.of());
        }
    }

    private void scheduleRestart() {
        // A process that served healthily for a while and then failed starts a fresh backoff series.
        if (healthySince != null
                && Duration.between(healthySince, Instant.now()).compareTo(host.timing().healthyReset()) >= 0) {
            restartBackoff.reset();
        }
        healthySince = null;
        Duration delay = restartBackoff.next();
        LOG.info("restarting instance {} in {}", instanceId, delay);
        restartTimer = schedule(new RestartDue(), delay);
    }

    private void stopProcess() {
        closeChecks();
        InstanceHandle h = handle;
        handle = null;
        if (h == null) {
            return;
        }
        try {
            host.driver().stop(instanceId, host.timing().stopTimeout());
        } catch (DriverException e) {
            LOG.error("cannot stop instance {}: {}", instanceId, e.getMessage(), e);
        }
    }

    private void destroyFiles() {
        try {
            host.driver().destroy(instanceId);
        } catch (DriverException e) {
            LOG.error("cannot remove instance {}: {}", instanceId, e.getMessage(), e);
        }
    }

    private void closeChecks() {
        if (checks != null) {
            checks.close();
            checks = null;
        }
    }

    private void report(Integer exitCode, String message, List<String> logTail) {
        boolean started = state == InstanceState.STARTED && handle != null;
        if (state != reportedState) {
            reportedState = state;
            reportedSince = Instant.now();
        }
        InstanceReport r = new InstanceReport(state, health, started ? handle.address() : null,
                started ? handle.port() : null, exitCode, message, restarts, logTail, reportedSince);
        send(r);
    }

    private void send(InstanceReport r) {
        try {
            host.controlPlane().report(instanceId, r);
            unsent = null;
            reportBackoff.reset();
        } catch (ControlPlaneException e) {
            unsent = r;
            if (reportTimer == null) {
                Duration delay = reportBackoff.next();
                LOG.warn("report of instance {} ({}) failed, retrying in {}: {}", instanceId, r.state().wire(), delay, e.getMessage());
                reportTimer = schedule(new RetryReport(), delay);
            }
        } catch (InterruptedException e) {
            unsent = r;
            Thread.currentThread().interrupt();
        }
    }

    private ScheduledFuture<?> schedule(Event event, Duration delay) {
        return host.timers().schedule(() -> inbox.add(event), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelTimers() {
        cancel(restartTimer);
        cancel(drainTimer);
        restartTimer = null;
        drainTimer = null;
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
