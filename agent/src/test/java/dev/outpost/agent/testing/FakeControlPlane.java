package dev.outpost.agent.testing;

import dev.outpost.agent.control.ControlPlane;
import dev.outpost.agent.control.ControlPlaneException;
import dev.outpost.agent.control.RegistryLogin;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.Assignments;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.InstanceState;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory server: assignments with a real blocking query, recorded registrations and
 * reports, blobs by digest, and a switch that makes every call fail as if the server were down.
 */
public final class FakeControlPlane implements ControlPlane {
    /** A report as received, with when it arrived. */
    public record Received(String instanceId, InstanceReport report, Instant at) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long index = 1;
    private List<Assignment> assignments = List.of();
    private final List<RegisterHostRequest> registrations = new CopyOnWriteArrayList<>();
    private final List<Received> reports = new CopyOnWriteArrayList<>();
    private final List<dev.outpost.core.api.LogBatch.Line> shipped = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final AtomicInteger blobDownloads = new AtomicInteger();
    private final AtomicInteger failedCalls = new AtomicInteger();
    private volatile boolean down;

    /** Replaces the assignments and wakes blocked watchers, as a write on the server does. */
    public void assign(Assignment... list) {
        lock.lock();
        try {
            assignments = List.of(list);
            index++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void putBlob(String digest, byte[] bytes) {
        blobs.put(digest, bytes);
    }

    public void down(boolean down) {
        this.down = down;
    }

    public List<RegisterHostRequest> registrations() {
        return List.copyOf(registrations);
    }

    /** Calls refused while {@link #down} was on. */
    public int failedCalls() {
        return failedCalls.get();
    }

    public int blobDownloads() {
        return blobDownloads.get();
    }

    /** Every report of {@code instanceId}, in order. */
    public List<Received> reports(String instanceId) {
        return reports.stream().filter(r -> r.instanceId().equals(instanceId)).toList();
    }

    /** The reports of {@code instanceId} in {@code state}, in order. */
    public List<InstanceReport> reports(String instanceId, InstanceState state) {
        return reports(instanceId).stream().map(Received::report).filter(r -> r.state() == state).toList();
    }

    public InstanceReport last(String instanceId) {
        List<Received> all = reports(instanceId);
        return all.isEmpty() ? null : all.getLast().report();
    }

    @Override
    public Host register(String hostId, RegisterHostRequest request) throws ControlPlaneException {
        failIfDown("PUT /v1/hosts/" + hostId);
        registrations.add(request);
        return new Host(hostId, request.region(), request.address(), request.memoryMb(), Instant.now());
    }

    @Override
    public Assignments assignments(String hostId, long after, Duration wait) throws ControlPlaneException, InterruptedException {
        failIfDown("GET /v1/hosts/" + hostId + "/assignments");
        lock.lock();
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            while (index <= after) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            return new Assignments(index, assignments);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void report(String instanceId, InstanceReport report) throws ControlPlaneException {
        failIfDown("PUT /v1/instances/" + instanceId + "/report");
        reports.add(new Received(instanceId, report, Instant.now()));
    }

    @Override
    public InputStream openBlob(String app, String digest) throws ControlPlaneException {
        failIfDown("GET /v2/" + app + "/blobs/" + digest);
        byte[] bytes = blobs.get(digest);
        if (bytes == null) {
            throw new ControlPlaneException("GET /v2/" + app + "/blobs/" + digest + " failed: 404 unknown blob", 404, null);
        }
        blobDownloads.incrementAndGet();
        return new ByteArrayInputStream(bytes);
    }

    /** A registry nobody listens on: tests of the docker driver use images already present. */
    @Override
    public RegistryLogin registryLogin() {
        return new RegistryLogin("127.0.0.1:1", "outpost", "test-token");
    }

    @Override
    public void shipLogs(dev.outpost.core.api.LogBatch batch) throws ControlPlaneException {
        failIfDown("POST /v1/logs");
        shipped.addAll(batch.lines());
    }

    /** Every log line shipped so far, in order. */
    public List<dev.outpost.core.api.LogBatch.Line> shippedLogs() {
        return List.copyOf(shipped);
    }

    private void failIfDown(String call) throws ControlPlaneException {
        if (down) {
            failedCalls.incrementAndGet();
            throw new ControlPlaneException(call + " failed: java.net.ConnectException (server down)", 0, null);
        }
    }
}
