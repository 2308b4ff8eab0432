package dev.outpost.agent.logs;

import dev.outpost.agent.control.ControlPlaneException;
import dev.outpost.core.api.Assignment;
import dev.outpost.core.api.LogBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships every instance's output to the server: tails {@code <dataDir>/instances/<id>/output.log}
 * (new instances as they appear), tags each line with instance, app, region and the time it was read,
 * and sends batches to a {@link LogSink} — at most one per flush interval (1 s), sooner once a batch
 * is full (500 lines), never one per line.
 *
 * <p>While the server is away the lines wait in a bounded {@link ShipBuffer} (oldest dropped and
 * counted, a marker line says how many); sends back off up to 10 s. Offsets move only when the
 * server stored the lines, and are kept in {@code <dataDir>/logs/offsets.json}, so a restarted agent
 * neither loses nor repeats lines; each line also carries its origin in the file, so a batch sent
 * again after a crash is stored once.
 *
 * <p>It looks for output every poll (100 ms) while there is some; after a round that found nothing
 * and has nothing to send, it waits twice as long each time, up to {@link #IDLE_POLL}, so an idle
 * host is not woken ten times a second. The first line after a quiet spell waits at most that long,
 * about the flush interval a batch waits anyway.
 *
 * <p>An instance's lines are read only once its app is known: from {@link #assigned} or the offsets
 * file. One thread; {@link #close} reads and sends what is left once more, then stops it.
 */
public final class LogShipper implements AutoCloseable {
    static final String OUTPUT = "output.log";
    private static final Logger LOG = LoggerFactory.getLogger(LogShipper.class);
    private static final int READ_BYTES_PER_POLL = 256 * 1024;
    /** The longest wait between rounds while nothing comes (or the poll, when that is longer). */
    static final Duration IDLE_POLL = Duration.ofMillis(500);
    /** Rounds run by the loop so far (how often it woke up). */
    private volatile long rounds;
    /** How long the loop waits before its next round. */
    private volatile long waitMillis;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private final Path instancesDir;
    private final String region;
    private final LogSink sink;
    private final ShipperSettings settings;
    private final Clock clock;
    private final Offsets offsets;
    private final ShipBuffer buffer;
    private final Map<String, String> apps = new ConcurrentHashMap<>();
    private final Map<String, OutputTail> tails = new HashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private Thread thread;
    private long lastSend;
    private long retryAt;
    private Duration backoff;
    private boolean failing;

    /** Ships the instances under {@code dataDir} of an agent in {@code region} to {@code sink}. */
    public LogShipper(Path dataDir, String region, LogSink sink) {
        this(dataDir, region, sink, ShipperSettings.DEFAULT);
    }

    public LogShipper(Path dataDir, String region, LogSink sink, ShipperSettings settings) {
        this.instancesDir = dataDir.resolve("instances");
        this.region = region;
        this.sink = sink;
        this.settings = settings;
        this.clock = Clock.systemUTC();
        this.offsets = Offsets.loadOrStartOver(dataDir.resolve("logs").resolve("offsets.json"));
        offsets.all().forEach((id, entry) -> apps.put(id, entry.app()));
        this.buffer = new ShipBuffer(settings.capacity());
        this.backoff = settings.poll();
        this.lastSend = System.nanoTime() - settings.flushInterval().toNanos();
        this.retryAt = System.nanoTime();
    }

    /** Starts the shipping thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("log shipper already started");
        }
        thread = Thread.ofVirtual().name("log-shipper-" + region).start(this::loop);
    }

    /** Learns which app each assigned instance belongs to; called with every assignment list the agent gets. */
    public void assigned(List<Assignment> assignments) {
        for (Assignment a : assignments) {
            if (a.instanceId() != null && a.app() != null) {
                apps.putIfAbsent(a.instanceId(), a.app());
            }
        }
    }

    /** Reads and sends what is left (one try), saves the offsets and stops the thread. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        closing.countDown();
        if (t == null) {
            return;
        }
        try {
            if (!t.join(CLOSE_TIMEOUT)) {
                t.interrupt();
                t.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            boolean last = false;
            long poll = settings.poll().toMillis();
            long idle = Math.max(poll, IDLE_POLL.toMillis());
            waitMillis = poll;
            while (!last) {
                last = closing.await(waitMillis, TimeUnit.MILLISECONDS);
                waitMillis = cycle(last) ? poll : Math.min(waitMillis * 2, idle);
                rounds++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            saveOffsets();
            for (OutputTail tail : tails.values()) {
                closeQuietly(tail);
            }
        }
    }

    long rounds() {
        return rounds;
    }

    long pollWaitMillis() {
        return waitMillis;
    }

    /** One round: find new files, read them, send what is due; true when it read lines or still holds some. */
    boolean cycle(boolean last) throws InterruptedException {
        discover();
        boolean read = read();
        long now = System.nanoTime();
        if (now - retryAt < 0 && !last) {
            return true;
        }
        boolean due = now - lastSend >= settings.flushInterval().toNanos() || last;
        while (!buffer.isEmpty() && (buffer.size() >= settings.batchSize() || due)) {
            if (!send()) {
                break;
            }
            due = false;
        }
        forgetFinished();
        saveOffsets();
        return read || !buffer.isEmpty();
    }

    private void discover() {
        if (!Files.isDirectory(instancesDir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(instancesDir)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                Path output = dir.resolve(OUTPUT);
                if (!tails.containsKey(id) && Files.isRegularFile(output)) {
                    tails.put(id, new OutputTail(output, offsets.get(id).orElse(null)));
                }
            }
        } catch (NoSuchFileException e) {
            // the instances directory went away between the check and the listing: nothing to tail
        } catch (IOException e) {
            LOG.warn("cannot list instance directories in {} for log shipping: {}", instancesDir, e.getMessage());
        }
    }

    /** Reads what every assigned tail has; true when some tail gave lines. */
    private boolean read() {
        boolean any = false;
        long now = System.nanoTime();
        for (Map.Entry<String, OutputTail> e : tails.entrySet()) {
            String id = e.getKey();
            String app = apps.get(id);
            if (app == null) {
                continue; // not assigned yet: its lines wait in the file
            }
            OutputTail tail = e.getValue();
            List<OutputTail.Read> lines;
            try {
                lines = tail.poll(READ_BYTES_PER_POLL, now, settings.partialFlush().toNanos());
            } catch (IOException ex) {
                LOG.warn("cannot read the output of instance {}: {}", id, ex.getMessage());
                continue;
            }
            any |= !lines.isEmpty();
            Instant time = clock.instant();
            for (OutputTail.Read r : lines) {
                ShipBuffer.Pending dropped = buffer.add(new ShipBuffer.Pending(id, app, time, r.text(), tail.fileKey(), tail.stream(), r.end()));
                if (dropped != null) {
                    commit(dropped);
                }
            }
        }
        return any;
    }

    /** Sends one batch; true when the server stored it. */
    private boolean send() throws InterruptedException {
        ShipBuffer.Batch batch = buffer.next(settings.batchSize(), region);
        lastSend = System.nanoTime();
        try {
            sink.ship(new LogBatch(batch.wire()));
        } catch (ControlPlaneException e) {
            if (e.status() == 400 || e.status() == 413) {
                // The server will never take this batch; holding it would stop every later line.
                LOG.error("the server refused {} log line(s) and they are dropped: {}", batch.wire().size(), e.getMessage());
                acknowledge(batch);
                return true;
            }
            retryAt = System.nanoTime() + backoff.toNanos();
            if (!failing) {
                LOG.warn("shipping logs failed, keeping up to {} lines and retrying: {}", settings.capacity(), e.getMessage());
            }
            failing = true;
            Duration doubled = backoff.multipliedBy(2);
            backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
            return false;
        }
        if (failing) {
            LOG.info("shipping logs works again");
        }
        failing = false;
        backoff = settings.poll();
        acknowledge(batch);
        return true;
    }

    private void acknowledge(ShipBuffer.Batch batch) {
        buffer.acknowledge(batch);
        batch.lines().forEach(this::commit);
    }

    private void commit(ShipBuffer.Pending p) {
        offsets.put(p.instanceId(), new Offsets.Entry(p.app(), p.fileKey(), p.stream(), p.end()));
    }

    /** Tails whose file is gone and fully shipped are closed and forgotten, offsets included. */
    private void forgetFinished() {
        for (Iterator<Map.Entry<String, OutputTail>> it = tails.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, OutputTail> e = it.next();
            boolean neverAssigned = !apps.containsKey(e.getKey())
                    && !Files.exists(instancesDir.resolve(e.getKey()).resolve(OUTPUT));
            if ((e.getValue().gone() && !buffer.holds(e.getKey())) || neverAssigned) {
                closeQuietly(e.getValue());
                it.remove();
                offsets.remove(e.getKey());
                apps.remove(e.getKey());
            }
        }
    }

    private void saveOffsets() {
        try {
            offsets.save();
        } catch (UncheckedIOException e) {
            // Shipping goes on; after a restart the lines since the last saved offsets are sent again and deduplicated.
            LOG.error("{}", e.getMessage(), e);
        }
    }

    private static void closeQuietly(OutputTail tail) {
        try {
            tail.close();
        } catch (IOException e) {
            LOG.debug("closing a log tail failed: {}", e.getMessage());
        }
    }
}
