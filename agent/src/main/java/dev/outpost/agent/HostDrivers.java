package dev.outpost.agent;

import dev.outpost.agent.control.ControlPlane;
import dev.outpost.agent.driver.Driver;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.agent.driver.docker.DockerDriver;
import dev.outpost.agent.driver.docker.DockerEngine;
import dev.outpost.agent.driver.docker.RegistryImages;
import dev.outpost.agent.driver.process.ProcessDriver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtimes of one host behind one {@link Driver}: images go to the docker driver, source bundles to
 * the process driver. Stop and destroy go to the driver that started or listed the instance; for an
 * instance neither did in this agent's life (a leftover), to both, which is harmless as both do
 * nothing for an instance they do not know.
 */
final class HostDrivers implements Driver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostDrivers.class);
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);

    private final Driver bundles;
    private final Driver images;
    private final String noImages;
    private final Map<String, Driver> owners = new ConcurrentHashMap<>();

    /** {@code images} may be null; then {@code noImages} says why, for the failure of an image instance. */
    HostDrivers(Driver bundles, Driver images, String noImages) {
        this.bundles = bundles;
        this.images = images;
        this.noImages = noImages;
    }

    /** The drivers {@code mode} asks for; {@code docker} without an Engine that answers is an error. */
    static HostDrivers open(DriverMode mode, AgentConfig config, ControlPlane controlPlane) {
        ProcessDriver process = new ProcessDriver(config.dataDir(), config.address());
        if (mode == DriverMode.PROCESS) {
            return new HostDrivers(process, null, "this host runs no Docker Engine (agent started with --driver process)");
        }
        DockerEngine engine = DockerEngine.fromEnvironment();
        try {
            engine.ping();
            DockerDriver docker = new DockerDriver(engine, new RegistryImages(engine.client(), controlPlane.registryLogin(),
                    PULL_TIMEOUT), config.dataDir(), config.address(), config.hostId());
            return new HostDrivers(process, docker, null);
        } catch (DriverException e) {
            closeQuietly(engine);
            if (mode == DriverMode.DOCKER) {
                throw new AgentException("agent " + config.hostId() + " was started with --driver docker, but "
                        + e.getMessage() + " (start Docker, set DOCKER_HOST, or use --driver process)", e);
            }
            LOG.info("agent {}: {}; image apps cannot run here, source bundles run as processes", config.hostId(), e.getMessage());
            return new HostDrivers(process, null, "this host runs no Docker Engine (" + e.getMessage() + ")");
        }
    }

    @Override
    public String name() {
        return images == null ? bundles.name() : images.name() + "+" + bundles.name();
    }

    @Override
    public InstanceHandle start(InstanceSpec spec) throws DriverException {
        Driver d = spec.image() ? images : bundles;
        if (d == null) {
            throw new DriverException("instance " + spec.instanceId() + " of " + spec.app() + " v" + spec.release()
                    + " is an image, but " + noImages);
        }
        InstanceHandle h = d.start(spec);
        owners.put(spec.instanceId(), d);
        return h;
    }

    @Override
    public void stop(String instanceId, Duration timeout) throws DriverException {
        for (Driver d : ownersOf(instanceId)) {
            d.stop(instanceId, timeout);
        }
    }

    @Override
    public void destroy(String instanceId) throws DriverException {
        for (Driver d : ownersOf(instanceId)) {
            d.destroy(instanceId);
        }
        owners.remove(instanceId);
    }

    @Override
    public List<InstanceHandle> list() {
        List<InstanceHandle> all = new ArrayList<>();
        for (Driver d : drivers()) {
            for (InstanceHandle h : d.list()) {
                owners.put(h.instanceId(), d);
                all.add(h);
            }
        }
        return all;
    }

    @Override
    public Set<String> present() {
        Set<String> ids = new HashSet<>();
        drivers().forEach(d -> ids.addAll(d.present()));
        return ids;
    }

    /** Closes the docker driver's connection; containers keep running. */
    @Override
    public void close() {
        if (images instanceof AutoCloseable c) {
            closeQuietly(c);
        }
    }

    private List<Driver> ownersOf(String instanceId) {
        Driver owner = owners.get(instanceId);
        return owner != null ? List.of(owner) : drivers();
    }

    private List<Driver> drivers() {
        return images == null ? List.of(bundles) : List.of(images, bundles);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.warn("cannot close the connection to the Docker Engine: {}", e.toString());
        } catch (Exception e) {
            LOG.warn("cannot close {}: {}", c, e.toString());
        }
    }
}
