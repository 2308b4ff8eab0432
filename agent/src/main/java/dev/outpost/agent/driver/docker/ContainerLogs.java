package dev.outpost.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a container's stdout and stderr into the instance's {@code output.log}, the file the process
 * driver writes too, so log tails, failure reports and log shipping read one place for both drivers.
 *
 * <p>It follows the Engine's log stream with timestamps and remembers the newest one it wrote in
 * {@code log.cursor}. A container started again, or re-adopted by a restarted agent, keeps its
 * earlier output in the Engine; following from the cursor copies each line once. The cursor is saved
 * at most once a second while lines flow and at the end of the stream, so an agent killed mid-stream
 * may copy up to a second of lines twice, never lose one.
 */
final class ContainerLogs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerLogs.class);
    static final String CURSOR_FILE = "log.cursor";
    private static final Duration SAVE_EVERY = Duration.ofSeconds(1);

    private final DockerClient docker;
    private final String containerId;
    private final Path logFile;
    private final Path cursorFile;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Follower follower = new Follower();
    private OutputStream out;
    private Instant cursor;
    private long savedAt;
    private volatile boolean closing;

    ContainerLogs(DockerClient docker, String containerId, Path instanceDir, String logFileName) {
        this.docker = docker;
        this.containerId = containerId;
        this.logFile = instanceDir.resolve(logFileName);
        this.cursorFile = instanceDir.resolve(CURSOR_FILE);
    }

    /** Starts following; returns at once. */
    ContainerLogs start() throws IOException {
        Files.createDirectories(logFile.getParent());
        cursor = readCursor();
        out = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        int since = cursor == null ? 0 : (int) cursor.getEpochSecond();
        docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(true)
                .withTimestamps(true).withSince(since).exec(follower);
        return this;
    }

    /** Waits up to {@code timeout} for the stream to end (it ends when the container stops). */
    void awaitEnd(Duration timeout) {
        try {
            ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("log stream of container {} still open {} after it exited; the last lines may be missing", containerId, timeout);
        } catch (ExecutionException e) {
            LOG.warn("log stream of container {} broke off: {}", containerId, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops following and saves the cursor. */
    @Override
    public void close() {
        closing = true;
        try {
            follower.close();
        } catch (IOException e) {
            LOG.warn("cannot close the log stream of container {}: {}", containerId, e.toString());
        }
        finish();
    }

    private synchronized void write(Frame frame) {
        if (out == null) {
            return;
        }
        byte[] payload = frame.getPayload();
        int space = indexOf(payload, (byte) ' ');
        Instant at = null;
        if (space > 0) {
            try {
                at = Instant.parse(new String(payload, 0, space, StandardCharsets.US_ASCII));
            } catch (DateTimeParseException notATimestamp) {
                at = null; // written as is below
            }
        }
        if (at != null && cursor != null && !at.isAfter(cursor)) {
            return; // copied before: the stream restarts at the cursor's second
        }
        try {
            if (at != null) {
                out.write(payload, space + 1, payload.length - space - 1);
                cursor = at;
            } else {
                out.write(payload);
            }
            out.flush();
        } catch (IOException e) {
            LOG.warn("cannot write the output of container {} to {}: {}", containerId, logFile, e.toString());
        }
        long now = System.nanoTime();
        if (now - savedAt >= SAVE_EVERY.toNanos()) {
            savedAt = now;
            saveCursor();
        }
    }

    private synchronized void finish() {
        if (out != null) {
            saveCursor();
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("cannot close {}: {}", logFile, e.toString());
            }
            out = null;
        }
        ended.complete(null);
    }

    private Instant readCursor() {
        try {
            return Files.isRegularFile(cursorFile) ? Instant.parse(Files.readString(cursorFile).strip()) : null;
        } catch (IOException | DateTimeParseException e) {
            LOG.warn("ignoring unreadable {} (output may be copied again): {}", cursorFile, e.toString());
            return null;
        }
    }

    private void saveCursor() {
        if (cursor == null) {
            return;
        }
        Path tmp = cursorFile.resolveSibling(CURSOR_FILE + ".tmp");
        try {
            Files.writeString(tmp, cursor.toString());
            Files.move(tmp, cursorFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot save the log cursor of container {} in {}: {}", containerId, cursorFile, e.toString());
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < Math.min(bytes.length, 64); i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private final class Follower extends ResultCallback.Adapter<Frame> {
        @Override
        public void onNext(Frame frame) {
            write(frame);
        }

        @Override
        public void onError(Throwable error) {
            if (!closing) {
                LOG.warn("log stream of container {} failed: {}", containerId, error.toString());
            }
            finish();
            super.onError(error);
        }

        @Override
        public void onComplete() {
            finish();
            super.onComplete();
        }
    }
}
