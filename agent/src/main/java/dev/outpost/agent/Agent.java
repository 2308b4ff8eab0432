package dev.outpost.agent;

import dev.outpost.agent.blob.BlobCache;
import dev.outpost.agent.control.ControlPlane;
import dev.outpost.agent.control.ControlPlaneException;
import dev.outpost.agent.driver.Driver;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.RegisterHostRequest;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one host: registers the host and heartbeats every 10 s, watches the host's
 * assignments with blocking queries, and keeps one {@link InstanceSupervisor} per assigned
 * instance. When the server is unreachable it backs off and retries while the instances keep
 * running; on start it re-adopts the instances its driver still runs.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final AgentConfig config;
    private final HostRuntime host;
    private final dev.outpost.agent.logs.LogShipper logs;
    private final Map<String, InstanceSupervisor> supervisors = new HashMap<>();
    /** Supervisors still running, including unassigned ones that are cleaning up. */
    private final Set<InstanceSupervisor> live = ConcurrentHashMap.newKeySet();
    private Map<String, InstanceHandle> orphans = Map.of();
    /** Instances the drivers keep anything of (a stopped container, a directory), checked against the first assignments. */
    private Set<String> leftovers = Set.of();
    /** Drivers this agent opened itself, closed with it; null when the caller passed its own. */
    private final HostDrivers ownDrivers;
    /** Opens once the first registration was tried, so the first watch does not race it. */
    private final CountDownLatch registeredOnce = new CountDownLatch(1);
    private Thread heartbeat;
    private Thread watch;
    private boolean started;
    private boolean closed;

    /** An agent running images with Docker when its Engine answers, and source bundles as processes. */
    public Agent(AgentConfig config, ControlPlane controlPlane) {
        this(config, controlPlane, DriverMode.AUTO);
    }

    /**
     * An agent with the drivers {@code mode} asks for; it closes them with itself.
     *
     * @throws AgentException when {@code mode} is {@code docker} and no Docker Engine answers
     */
    public Agent(AgentConfig config, ControlPlane controlPlane, DriverMode mode) {
        this(config, controlPlane, HostDrivers.open(mode, config, controlPlane), AgentTiming.DEFAULT, true);
    }

    /** An agent running instances with {@code driver}, which the caller owns and closes. */
    public Agent(AgentConfig config, ControlPlane controlPlane, Driver driver) {
        this(config, controlPlane, driver, AgentTiming.DEFAULT);
    }

    Agent(AgentConfig config, ControlPlane controlPlane, Driver driver, AgentTiming timing) {
        this(config, controlPlane, driver, timing, false);
    }

    private Agent(AgentConfig config, ControlPlane controlPlane, Driver driver, AgentTiming timing, boolean ownsDriver) {
        this.config = config;
        this.ownDrivers = ownsDriver ? (HostDrivers) driver : null;
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "agent-timers-" + config.hostId());
            t.setDaemon(true);
            return t;
        });
        HttpClient checkHttp = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.host = new HostRuntime(config, timing, controlPlane, driver, new BlobCache(config.dataDir(), controlPlane),
                checkHttp, timers);
        this.logs = new dev.outpost.agent.logs.LogShipper(config.dataDir(), config.region(), controlPlane::shipLogs);
    }

    /** Re-adopts what the driver still runs, then starts the heartbeat and the watch on virtual threads. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("agent " + config.hostId() + " was already started");
        }
        started = true;
        Map<String, InstanceHandle> found = new HashMap<>();
        for (InstanceHandle h : host.driver().list()) {
            found.put(h.instanceId(), h);
        }
        orphans = found;
        leftovers = host.driver().present();
        if (!found.isEmpty()) {
            LOG.info("agent {} found {} instance(s) still running: {}", config.hostId(), found.size(), found.keySet());
        }
        logs.start();
        heartbeat = Thread.ofVirtual().name("agent-heartbeat-" + config.hostId()).start(this::heartbeatLoop);
        watch = Thread.ofVirtual().name("agent-watch-" + config.hostId()).start(this::watchLoop);
        LOG.info("agent {} started in {} on {} ({} driver, data in {})", config.hostId(), config.region(),
                config.address(), host.driver().name(), config.dataDir());
    }

    /** Stops the loop and every instance it runs, and waits for them to be gone. */
    @Override
    public void close() {
        stop(true);
    }

    /**
     * A crash, for the lab: ends the heartbeat, the watch and every supervisor at once but leaves
     * every instance running, as a killed agent process would. A new agent on the same data
     * directory re-adopts them ({@link #start}). Closing a halted agent does nothing more.
     */
    public void halt() {
        stop(false);
    }

    private void stop(boolean instancesToo) {
        List<InstanceSupervisor> toStop;
        Map<String, InstanceHandle> unclaimed;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = List.copyOf(live);
            unclaimed = orphans;
        }
        interruptAndJoin(heartbeat);
        interruptAndJoin(watch);
        toStop.forEach(instancesToo ? InstanceSupervisor::close : InstanceSupervisor::halt);
        try {
            for (InstanceSupervisor s : toStop) {
                s.await(CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (instancesToo) {
            // Found running at start but not claimed by any assignment yet: this agent stops them too.
            for (InstanceHandle h : unclaimed.values()) {
                try {
                    host.driver().stop(h.instanceId(), host.timing().stopTimeout());
                } catch (DriverException e) {
                    LOG.error("cannot stop adopted instance {}: {}", h.instanceId(), e.getMessage(), e);
                }
            }
        }
        logs.close(); // after the instances stopped, so their last lines go too
        host.timers().shutdownNow();
        host.checkHttp().close();
        if (ownDrivers != null) {
            ownDrivers.close();
        }
        LOG.info("agent {} {}", config.hostId(), instancesToo ? "stopped" : "halted (its instances run on)");
    }

    private void heartbeatLoop() {
        RegisterHostRequest me = new RegisterHostRequest(config.region(), config.address(), config.memoryMb());
        while (!Thread.currentThread().isInterrupted()) {
            try {
                host.controlPlane().register(config.hostId(), me);
            } catch (ControlPlaneException e) {
                LOG.warn("heartbeat of host {} failed: {}", config.hostId(), e.getMessage());
            } catch (InterruptedException e) {
                return;
            } finally {
                registeredOnce.countDown();
            }
            try {
                Thread.sleep(host.timing().heartbeat());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void watchLoop() {
        Backoff backoff = host.timing().backoff();
        long index = 0;
        try {
            registeredOnce.await(host.timing().heartbeat().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return;
        }
        while (!Thread.currentThread().isInterrupted()) {
            Assignments answer;
            try {
                answer = host.controlPlane().assignments(config.hostId(), index, host.timing().watchWait());
            } catch (ControlPlaneException e) {
                Duration delay = backoff.next();
                LOG.warn("watching assignments of host {} failed, retrying in {} (instances keep running): {}",
                        config.hostId(), delay, e.getMessage());
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException stop) {
                    return;
                }
                continue;
            } catch (InterruptedException e) {
                return;
            }
            backoff.reset();
            index = answer.index();
            apply(answer.assignments() == null ? List.of() : answer.assignments());
        }
    }

    private synchronized void apply(List<Assignment> assignments) {
        if (closed) {
            return;
        }
        logs.assigned(assignments);
        Set<String> assigned = new HashSet<>();
        for (Assignment a : assignments) {
            assigned.add(a.instanceId());
            InstanceSupervisor existing = supervisors.get(a.instanceId());
            if (existing != null) {
                existing.desired(a);
            } else {
                supervisors.put(a.instanceId(), supervise(a));
            }
        }
        for (var it = supervisors.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!assigned.contains(e.getKey())) {
                e.getValue().unassigned();
                it.remove();
            }
        }
        // What an earlier agent left running but the server no longer assigns here goes away.
        for (InstanceHandle orphan : orphans.values()) {
            LOG.info("instance {} runs here but is not assigned to host {}; removing it", orphan.instanceId(), config.hostId());
            try {
                host.driver().destroy(orphan.instanceId());
            } catch (DriverException e) {
                LOG.error("cannot remove unassigned instance {}: {}", orphan.instanceId(), e.getMessage(), e);
            }
        }
        // A stopped container or a directory of an instance destroyed while no agent ran here goes too.
        for (String id : leftovers) {
            if (!assigned.contains(id) && !orphans.containsKey(id)) {
                LOG.info("instance {} left files or a container on host {} but is not assigned here; removing them", id, config.hostId());
                try {
                    host.driver().destroy(id);
                } catch (DriverException e) {
                    LOG.error("cannot remove what is left of unassigned instance {}: {}", id, e.getMessage(), e);
                }
            }
        }
        leftovers = Set.of();
        orphans = Map.of();
    }

    /**
     * A supervisor for a newly assigned instance. Its first assignment is queued before its thread
     * starts, so an adopted instance that answers at once never runs ahead of its assignment.
     */
    private InstanceSupervisor supervise(Assignment first) {
        String instanceId = first.instanceId();
        InstanceHandle adopted = orphans.isEmpty() ? null : removeOrphan(instanceId);
        InstanceSupervisor[] self = new InstanceSupervisor[1];
        self[0] = new InstanceSupervisor(instanceId, host, adopted, () -> live.remove(self[0]));
        live.add(self[0]);
        self[0].desired(first);
        return self[0].start();
    }

    private InstanceHandle removeOrphan(String instanceId) {
        Map<String, InstanceHandle> rest = new HashMap<>(orphans);
        InstanceHandle h = rest.remove(instanceId);
        orphans = rest;
        return h;
    }

    private static void interruptAndJoin(Thread t) {
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
