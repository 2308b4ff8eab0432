package dev.outpost.agent.driver.process;

import dev.outpost.agent.driver.InstanceDirectory;
import dev.outpost.agent.driver.Driver;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceHandle;
import dev.outpost.agent.driver.InstanceSpec;
import dev.outpost.core.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instances as child processes of the agent. Each instance gets {@code <dataDir>/instances/<id>/}
 * holding the unpacked bundle, {@code output.log} (stdout and stderr) and {@code instance.json}
 * (for re-adoption). Stop is SIGTERM to the process and all its descendants, SIGKILL after the timeout.
 */
public final class ProcessDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessDriver.class);
    static final String LOG_FILE = "output.log";
    static final String RECORD_FILE = "instance.json";
    /** Holds the digest of the bundle unpacked in the directory, so a restart reuses the tree. */
    private static final String UNPACKED_FILE = ".outpost-bundle";

    private final Path dataDir;
    private final String address;
    private final Map<String, ProcessInstance> running = new ConcurrentHashMap<>();

    /** {@code address} is the host's private address: instances get their port there. */
    public ProcessDriver(Path dataDir, String address) {
        this.dataDir = dataDir.toAbsolutePath();
        this.address = address;
    }

    @Override
    public String name() {
        return "process";
    }

    /** The directory of an instance: bundle, {@code output.log}, {@code instance.json}. */
    public Path instanceDir(String instanceId) {
        return dataDir.resolve("instances").resolve(instanceId);
    }

    @Override
    public InstanceHandle start(InstanceSpec spec) throws DriverException {
        String id = spec.instanceId();
        ProcessInstance existing = running.get(id);
        if (existing != null && !existing.exited().isDone()) {
            throw new DriverException("instance " + id + " already runs as " + existing);
        }
        if (spec.command().isEmpty()) {
            throw new DriverException("instance " + id + " of " + spec.app() + " v" + spec.release()
                    + " has no command: the process driver needs build.cmd in outpost.toml");
        }
        Path dir = instanceDir(id);
        prepare(spec, dir);
        int port = freePort(id);
        ProcessBuilder pb = new ProcessBuilder(spec.command()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG_FILE).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        Map<String, String> env = pb.environment();
        env.putAll(spec.env());
        env.put("PORT", Integer.toString(port));
        env.put("OUTPOST_PRIVATE_IP", address);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            throw new DriverException("cannot start instance " + id + " (" + String.join(" ", spec.command()) + ") in "
                    + dir + ": " + e.getMessage(), e);
        }
        Instant processStart = child.toHandle().info().startInstant().orElse(Instant.now());
        InstanceRecord record = new InstanceRecord(id, spec.app(), spec.release(), child.pid(), processStart, address, port);
        ProcessInstance instance = new ProcessInstance(record, child, dir.resolve(LOG_FILE));
        try {
            writeRecord(dir, record);
        } catch (DriverException e) {
            // Without its record a restarted agent could not find it: better not to run it at all.
            terminate(child.toHandle(), Duration.ZERO, id);
            throw e;
        }
        running.put(id, instance);
        LOG.info("started instance {} of {} v{} as pid {} on {}:{}", id, spec.app(), spec.release(), child.pid(), address, port);
        return instance;
    }

    @Override
    public void stop(String instanceId, Duration timeout) throws DriverException {
        ProcessInstance instance = running.remove(instanceId);
        if (instance == null) {
            return;
        }
        terminate(instance.process(), timeout, instanceId);
        try {
            Files.deleteIfExists(instanceDir(instanceId).resolve(RECORD_FILE));
        } catch (IOException e) {
            throw new DriverException("stopped instance " + instanceId + " but cannot remove its "
                    + RECORD_FILE + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void destroy(String instanceId) throws DriverException {
        stop(instanceId, Duration.ZERO);
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

    @Override
    public List<InstanceHandle> list() {
        Path instances = dataDir.resolve("instances");
        if (Files.isDirectory(instances)) {
            try (Stream<Path> dirs = Files.list(instances)) {
                dirs.map(d -> d.resolve(RECORD_FILE)).filter(Files::isRegularFile).forEach(this::adopt);
            } catch (IOException e) {
                LOG.warn("cannot list {} to re-adopt instances: {}", instances, e.toString());
            }
        }
        List<InstanceHandle> out = new ArrayList<>();
        running.values().stream().filter(i -> !i.exited().isDone()).forEach(out::add);
        return out;
    }

    /** Running instances plus every instance directory left on disk (a stopped instance keeps its tree). */
    @Override
    public Set<String> present() {
        Set<String> ids = new HashSet<>();
        list().forEach(h -> ids.add(h.instanceId()));
        Path instances = dataDir.resolve("instances");
        if (Files.isDirectory(instances)) {
            try (Stream<Path> dirs = Files.list(instances)) {
                dirs.filter(Files::isDirectory).forEach(d -> ids.add(d.getFileName().toString()));
            } catch (IOException e) {
                LOG.warn("cannot list {} to find leftover instances: {}", instances, e.toString());
            }
        }
        return ids;
    }

    private void adopt(Path recordFile) {
        InstanceRecord record;
        try {
            record = Json.mapper().readValue(recordFile.toFile(), InstanceRecord.class);
        } catch (IOException e) {
            LOG.warn("ignoring unreadable {}: {}", recordFile, e.toString());
            return;
        }
        if (running.containsKey(record.instanceId())) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(record.pid()).filter(Liveness::running);
        // A pid is only ours if the process also started when we recorded it; pids get reused.
        boolean same = process.flatMap(p -> p.info().startInstant())
                .map(start -> Duration.between(start, record.processStart()).abs().compareTo(Duration.ofSeconds(2)) < 0)
                .orElse(false);
        if (!same) {
            return;
        }
        LOG.info("re-adopted instance {} (pid {}, port {})", record.instanceId(), record.pid(), record.port());
        running.put(record.instanceId(), new ProcessInstance(record, process.get(), recordFile.resolveSibling(LOG_FILE)));
    }

    private void prepare(InstanceSpec spec, Path dir) throws DriverException {
        Path marker = dir.resolve(UNPACKED_FILE);
        try {
            Files.createDirectories(dir);
            if (spec.bundle() == null) {
                return;
            }
            if (Files.isRegularFile(marker) && Files.readString(marker).equals(spec.artifactDigest())) {
                return; // a restart: keep the tree as the previous run left it, as a machine keeps its disk
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.toList()) {
                    if (!p.getFileName().toString().equals(LOG_FILE)) {
                        InstanceDirectory.delete(p);
                    }
                }
            }
            BundleUnpacker.unpack(spec.bundle(), dir);
            Files.writeString(marker, String.valueOf(spec.artifactDigest()));
        } catch (IOException e) {
            throw new DriverException("cannot prepare the directory " + dir + " of instance " + spec.instanceId()
                    + ": " + e.getMessage(), e);
        }
    }

    private int freePort(String instanceId) throws DriverException {
        // Bind port 0, close, hand the number over: the small race with other binders is accepted,
        // as the instance itself must bind the port and the kernel rarely reuses one this soon.
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new DriverException("cannot find a free port on " + address + " for instance " + instanceId
                    + ": " + e.getMessage(), e);
        }
    }

    private void writeRecord(Path dir, InstanceRecord record) throws DriverException {
        Path tmp = dir.resolve(RECORD_FILE + ".tmp");
        try {
            Json.mapper().writeValue(tmp.toFile(), record);
            Files.move(tmp, dir.resolve(RECORD_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new DriverException("started instance " + record.instanceId() + " but cannot write its "
                    + RECORD_FILE + ": " + e.getMessage(), e);
        }
    }

    /**
     * SIGTERM to the process and every descendant, taken before signalling: once the parent is gone
     * its children are re-parented and no longer show up as descendants.
     */
    static void terminate(ProcessHandle process, Duration timeout, String instanceId) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process);
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        if (gone(tree, timeout)) {
            return;
        }
        LOG.info("instance {} still runs {} after SIGTERM; sending SIGKILL", instanceId, timeout);
        // Descendants forked after the first look are caught here too.
        process.descendants().forEach(tree::add);
        tree.stream().filter(Liveness::running).forEach(ProcessHandle::destroyForcibly);
        if (!gone(tree, Duration.ofSeconds(5))) {
            LOG.warn("instance {} survived SIGKILL for 5s", instanceId);
        }
    }

    /**
     * Waits until every process in {@code tree} ended. Polls, because {@code onExit} of a process
     * that is not our child (a grandchild, a re-adopted one) is itself a slow poll in the JDK.
     */
    private static boolean gone(List<ProcessHandle> tree, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (tree.stream().noneMatch(Liveness::running)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
