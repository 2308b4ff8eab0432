package dev.outpost.agent.driver.docker;

import dev.outpost.agent.driver.InstanceDirectory;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import dev.outpost.agent.driver.Driver;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.core.model.VmSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs image instances as Docker containers, one per instance, named {@code outpost-<instanceId>} and
 * labelled with the app, release, instance and host, so a restarted agent finds its own containers and
 * no instance ever gets two. The container publishes its {@code internal_port} on the host's private
 * address at a port the Engine picks; it gets the memory and CPU limits of its {@code [vm] size} and no
 * restart policy (the agent restarts with backoff, as for processes). Its output is copied to
 * {@code <dataDir>/instances/<id>/output.log}.
 *
 * <p>A stop keeps the container, so the next start of the same spec only starts it again (fast, and
 * the same container id); a destroy removes it. A start whose spec differs from the kept container's
 * (another release, env or size) replaces the container.
 */
public final class DockerDriver implements Driver, AutoCloseable {
    public static final String LABEL_APP = "dev.outpost.app";
    public static final String LABEL_RELEASE = "dev.outpost.release";
    public static final String LABEL_INSTANCE = "dev.outpost.instance";
    public static final String LABEL_HOST = "dev.outpost.host";
    /**
     * The agent's data directory. Host ids repeat wherever two platforms share one Engine (two
     * {@code outpost dev} runs both have an {@code iad-host-1}); an agent adopts, and removes, only
     * containers of its own directory, or older ones made before this label.
     */
    public static final String LABEL_DATA = "dev.outpost.data";
    /** The internal port, so a re-adopted container is probed where it listens. */
    public static final String LABEL_PORT = "dev.outpost.port";
    /** A digest of everything the container was created from; a start with another spec re-creates it. */
    public static final String LABEL_SPEC = "dev.outpost.spec";
    /** The same file the process driver writes, so log tails and shipping treat both drivers alike. */
    static final String LOG_FILE = "output.log";

    private static final Logger LOG = LoggerFactory.getLogger(DockerDriver.class);

    private final DockerEngine engine;
    private final DockerClient docker;
    private final ImageSource images;
    private final Path dataDir;
    private final String address;
    private final String hostId;
    private final int hostCpus;
    private final Map<String, DockerInstance> running = new ConcurrentHashMap<>();

    /**
     * {@code address} is the host's private address, where containers publish their port;
     * {@code hostId} labels every container so that only this host's agent adopts it.
     */
    public DockerDriver(DockerEngine engine, ImageSource images, Path dataDir, String address, String hostId)
            throws DriverException {
        this.engine = engine;
        this.docker = engine.client();
        this.images = images;
        this.dataDir = dataDir.toAbsolutePath();
        this.address = address;
        this.hostId = hostId;
        this.hostCpus = engine.cpus();
    }

    @Override
    public String name() {
        return "docker";
    }

    /** The name of the container of {@code instanceId}. */
    public static String containerName(String instanceId) {
        return "outpost-" + instanceId;
    }

    /** The directory of an instance: {@code output.log} and the log cursor. */
    public Path instanceDir(String instanceId) {
        return dataDir.resolve("instances").resolve(instanceId);
    }

    @Override
    public InstanceHandle start(InstanceSpec spec) throws DriverException {
        String id = spec.instanceId();
        String what = "instance " + id + " of " + spec.app() + " v" + spec.release();
        if (!spec.image()) {
            throw new DriverException(what + " is a source bundle (build.cmd): the docker driver runs images only");
        }
        DockerInstance current = running.get(id);
        if (current != null && !current.exited().isDone()) {
            throw new DriverException(what + " already runs as " + current);
        }
        VmSize size;
        try {
            size = VmSize.of(spec.vmSize());
        } catch (IllegalArgumentException e) {
            throw new DriverException(what + " cannot start: " + e.getMessage());
        }
        // The reference only: a kept container of this spec holds its image, so only a new container needs it present.
        String image = images.reference(spec);
        Map<String, String> env = environment(spec);
        String specDigest = specDigest(image, env, spec.internalPort(), size);
        Path dir = instanceDir(id);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DriverException("cannot create the directory " + dir + " of " + what + ": " + e.getMessage(), e);
        }
        try {
            InspectContainerResponse kept = inspect(containerName(id));
            String containerId;
            if (kept != null && specDigest.equals(kept.getConfig().getLabels().get(LABEL_SPEC))) {
                containerId = kept.getId();
                if (Boolean.TRUE.equals(kept.getState().getRunning())) {
                    // Never a second copy: a container of this very spec already runs, so it is the instance.
                    LOG.info("{} already runs in container {}; adopting it", what, shortId(containerId));
                    return track(adopt(kept));
                }
                LOG.info("starting the kept container {} of {}", shortId(containerId), what);
            } else {
                if (kept != null) {
                    LOG.info("replacing container {} of {}: it was made from another spec", shortId(kept.getId()), what);
                    docker.removeContainerCmd(kept.getId()).withForce(true).withRemoveVolumes(true).exec();
                }
                containerId = create(spec, images.localImage(spec), env, specDigest, size);
            }
            ContainerLogs logs = new ContainerLogs(docker, containerId, dir, LOG_FILE);
            try {
                docker.startContainerCmd(containerId).exec();
            } catch (NotModifiedException alreadyStarted) {
                // started between our inspect and now: fine, it runs
            }
            logs.start();
            InspectContainerResponse started = docker.inspectContainerCmd(containerId).exec();
            DockerInstance instance = handle(started, spec.internalPort(), logs);
            LOG.info("started {} in container {} ({}) on {}:{}", what, shortId(containerId), image, address, instance.port());
            return track(instance.watch());
        } catch (IOException | RuntimeException e) {
            throw new DriverException("cannot start " + what + " in Docker (" + image + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void stop(String instanceId, Duration timeout) throws DriverException {
        DockerInstance instance = running.remove(instanceId);
        String name = containerName(instanceId);
        try {
            // Docker sends SIGTERM, then SIGKILL after the timeout; the container is kept for a fast start.
            docker.stopContainerCmd(name).withTimeout((int) Math.ceil(timeout.toMillis() / 1000.0)).exec();
        } catch (NotModifiedException | NotFoundException alreadyStoppedOrGone) {
            // nothing runs: done
        } catch (RuntimeException e) {
            throw new DriverException("cannot stop container " + name + " of instance " + instanceId + ": " + e.getMessage(), e);
        }
        if (instance != null) {
            instance.awaitLogs();
            instance.release();
        }
    }

    @Override
    public void destroy(String instanceId) throws DriverException {
        DockerInstance instance = running.remove(instanceId);
        if (instance != null) {
            instance.release();
        }
        String name = containerName(instanceId);
        try {
            docker.removeContainerCmd(name).withForce(true).withRemoveVolumes(true).exec();
            LOG.info("removed container {} of instance {}", name, instanceId);
        } catch (NotFoundException gone) {
            // never created, or already removed
        } catch (RuntimeException e) {
            throw new DriverException("cannot remove container " + name + " of instance " + instanceId + ": " + e.getMessage(), e);
        }
        Path dir = instanceDir(instanceId);
        if (!dir.normalize().getParent().equals(dataDir.resolve("instances"))) {
            // An id like "../x" must never make destroy delete outside the instances directory.
            throw new DriverException("refusing to delete " + dir + ": instance id \"" + instanceId + "\" is not a plain name");
        }
        try {
            InstanceDirectory.delete(dir);
        } catch (IOException e) {
            throw new DriverException("cannot delete the directory " + dir + " of instance " + instanceId + ": " + e.getMessage(), e);
        }
    }

    /** The running containers of this host, adopted (watched, logs followed) when an earlier agent started them. */
    @Override
    public List<InstanceHandle> list() {
        List<InstanceHandle> out = new ArrayList<>();
        for (Container c : containers()) {
            String id = c.getLabels().get(LABEL_INSTANCE);
            if (id == null || !"running".equals(c.getState())) {
                continue;
            }
            DockerInstance known = running.get(id);
            if (known != null && !known.exited().isDone()) {
                out.add(known);
                continue;
            }
            try {
                InspectContainerResponse inspected = docker.inspectContainerCmd(c.getId()).exec();
                DockerInstance adopted = adopt(inspected);
                track(adopted);
                LOG.info("re-adopted instance {} in container {} on {}:{}", id, shortId(c.getId()), address, adopted.port());
                out.add(adopted);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot re-adopt container {} of instance {}: {}", shortId(c.getId()), id, e.toString());
            }
        }
        return out;
    }

    /** Every instance with a container on this host, running or stopped. */
    @Override
    public Set<String> present() {
        Set<String> ids = new HashSet<>();
        for (Container c : containers()) {
            String id = c.getLabels().get(LABEL_INSTANCE);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Stops watching containers (they keep running) and closes the connection to the Engine. */
    @Override
    public void close() throws IOException {
        running.values().forEach(DockerInstance::release);
        running.clear();
        engine.close();
    }

    /**
     * This host's containers; none when the Engine does not answer, so the agent still starts. Nothing
     * is duplicated meanwhile: {@link #start} finds a running container by its name and adopts it.
     */
    private List<Container> containers() {
        try {
            String data = dataDir.toString();
            return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LABEL_HOST, hostId)).exec().stream()
                    .filter(c -> c.getLabels() == null || data.equals(c.getLabels().getOrDefault(LABEL_DATA, data)))
                    .toList();
        } catch (RuntimeException e) {
            LOG.warn("cannot list the containers of host {} on the Docker Engine at {}: {}", hostId, engine.host(), e.toString());
            return List.of();
        }
    }

    private String create(InstanceSpec spec, String image, Map<String, String> env, String specDigest, VmSize size) {
        ContainerLimits limits = ContainerLimits.of(size, hostCpus);
        ExposedPort port = ExposedPort.tcp(spec.internalPort());
        Map<String, String> labels = Map.of(
                LABEL_APP, spec.app(),
                LABEL_RELEASE, Integer.toString(spec.release()),
                LABEL_INSTANCE, spec.instanceId(),
                LABEL_HOST, hostId,
                LABEL_DATA, dataDir.toString(),
                LABEL_PORT, Integer.toString(spec.internalPort()),
                LABEL_SPEC, specDigest);
        HostConfig host = HostConfig.newHostConfig()
                // An empty host port: the Engine picks a free one, with no race against other binders.
                .withPortBindings(new PortBinding(Ports.Binding.bindIp(address), port))
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withNanoCPUs(limits.nanoCpus())
                .withCpuShares(limits.cpuShares())
                .withRestartPolicy(RestartPolicy.noRestart());
        List<String> envList = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        var create = docker.createContainerCmd(image).withName(containerName(spec.instanceId())).withLabels(labels)
                .withEnv(envList).withExposedPorts(port).withHostConfig(host);
        if (!spec.command().isEmpty()) {
            create.withCmd(spec.command());
        }
        return create.exec().getId();
    }

    private Map<String, String> environment(InstanceSpec spec) {
        Map<String, String> env = new TreeMap<>(spec.env());
        env.put("PORT", Integer.toString(spec.internalPort()));
        env.put("OUTPOST_PRIVATE_IP", address);
        return env;
    }

    /** An instance for a container that runs now. */
    private DockerInstance adopt(InspectContainerResponse c) throws IOException {
        String port = c.getConfig().getLabels().get(LABEL_PORT);
        int internalPort = port == null ? InstanceSpec.DEFAULT_INTERNAL_PORT : Integer.parseInt(port);
        ContainerLogs logs = new ContainerLogs(docker, c.getId(), instanceDir(c.getConfig().getLabels().get(LABEL_INSTANCE)), LOG_FILE);
        logs.start();
        return handle(c, internalPort, logs).watch();
    }

    private DockerInstance handle(InspectContainerResponse c, int internalPort, ContainerLogs logs) {
        String id = c.getConfig().getLabels().get(LABEL_INSTANCE);
        Ports.Binding[] bindings = c.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(internalPort));
        // A container that already exited has no published port; its handle only reports the exit.
        int hostPort = bindings == null || bindings.length == 0 || bindings[0].getHostPortSpec() == null ? 0
                : Integer.parseInt(bindings[0].getHostPortSpec());
        String ip = null;
        for (ContainerNetwork n : c.getNetworkSettings().getNetworks().values()) {
            if (n.getIpAddress() != null && !n.getIpAddress().isBlank()) {
                ip = n.getIpAddress();
                break;
            }
        }
        return new DockerInstance(docker, id, c.getId(), address, hostPort, internalPort, ip,
                instanceDir(id).resolve(LOG_FILE), logs);
    }

    private DockerInstance track(DockerInstance instance) {
        running.put(instance.instanceId(), instance);
        return instance;
    }

    private InspectContainerResponse inspect(String name) {
        try {
            return docker.inspectContainerCmd(name).exec();
        } catch (NotFoundException e) {
            return null;
        }
    }

    private String specDigest(String image, Map<String, String> env, int internalPort, VmSize size) {
        StringBuilder s = new StringBuilder().append(image).append('\n').append(internalPort).append('\n')
                .append(size.name()).append('\n').append(address).append('\n');
        new TreeMap<>(env).forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }
}
