package dev.outpost.agent.logs;

import dev.outpost.core.Ids;
import dev.outpost.core.api.LogBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows one instance's {@code output.log}: hands out the complete lines appended since the last
 * {@link #poll}, each with the byte offset after it.
 *
 * <p>The file stays open, so a file renamed away (rotation) or deleted with its instance directory is
 * read to its end before the tail moves to the new file or reports {@link #gone}. A rotation's gap
 * (the file renamed, the new one not created yet) is waited out: only the instance directory's
 * removal makes the tail gone. A file that
 * shrank below the read position was truncated: reading starts over at 0. Every start from 0 gets a
 * new random {@code stream} name, so the origins ({@code STREAM:OFFSET}) of two files' lines never
 * coincide. A line longer than {@link LogBatch#MAX_LINE_LENGTH} bytes is cut into pieces; a last
 * line without a line break is handed out once it stopped growing for the flush delay.
 */
final class OutputTail implements AutoCloseable {
    /** A line as read: its text (without the line break) and the file offset after it. */
    record Read(String text, long end) {}

    private static final int CHUNK = 64 * 1024;

    private final Path path;
    private Offsets.Entry resume;
    private FileChannel channel;
    private String fileKey;
    private String stream;
    private long position;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long partialGrewAt;
    private boolean gone;

    /** Follows {@code path}, going on from {@code resume} when it describes the same file. */
    OutputTail(Path path, Offsets.Entry resume) {
        this.path = path;
        this.resume = resume;
    }

    /**
     * The complete lines appended since the last call (at most about {@code maxBytes} of them).
     *
     * @param nowNanos the caller's {@link System#nanoTime()}, for the partial-line delay
     * @param partialFlushNanos how long a last line without a line break may stop growing before it is handed out
     */
    List<Read> poll(int maxBytes, long nowNanos, long partialFlushNanos) throws IOException {
        List<Read> out = new ArrayList<>();
        if (gone) {
            return out;
        }
        if (channel == null && !open(nowNanos)) {
            return out;
        }
        if (channel.size() < position) {
            // truncated in place (copytruncate, or the driver started the file over): what was cut is gone
            startOver(nowNanos);
        }
        int budget = readAvailable(out, maxBytes, nowNanos);
        if (position >= channel.size()) {
            String current = keyOf(path);
            if (current == null) {
                // Renamed away with no new file yet (rotation is rename, then create), or deleted. Only the
                // instance directory going tells the instance is gone; until then, wait for the new file.
                flushPartial(out);
                close();
                gone = !Files.isDirectory(path.getParent());
            } else if (!current.equals(fileKey)) {
                flushPartial(out);
                close();
                if (open(nowNanos)) {
                    readAvailable(out, budget, nowNanos);
                }
            }
        }
        if (partial.size() > 0 && nowNanos - partialGrewAt >= partialFlushNanos) {
            flushPartial(out);
        }
        return out;
    }

    /** True once the file was deleted and everything in it was handed out. */
    boolean gone() {
        return gone;
    }

    String fileKey() {
        return fileKey;
    }

    String stream() {
        return stream;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private boolean open(long nowNanos) throws IOException {
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            // Between a rotation's rename and its new file: the next poll looks again. With its instance
            // directory gone, the instance is: a file that comes back later is a new file with a new tail.
            gone = !Files.isDirectory(path.getParent());
            return false;
        }
        fileKey = String.valueOf(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        if (resume != null && fileKey.equals(resume.fileKey()) && resume.offset() <= channel.size()) {
            position = resume.offset();
            stream = resume.stream();
        } else {
            startOver(nowNanos);
        }
        resume = null;
        return true;
    }

    private void startOver(long nowNanos) {
        position = 0;
        stream = Ids.random(8);
        partial.reset();
        partialGrewAt = nowNanos;
    }

    /** Reads up to {@code maxBytes} from the position into lines; returns the budget left. */
    private int readAvailable(List<Read> out, int maxBytes, long nowNanos) throws IOException {
        int budget = maxBytes;
        ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, Math.max(1, maxBytes)));
        while (budget > 0) {
            buf.clear().limit(Math.min(buf.capacity(), budget));
            int n = channel.read(buf, position);
            if (n <= 0) {
                break;
            }
            budget -= n;
            byte[] bytes = buf.array();
            for (int i = 0; i < n; i++) {
                byte b = bytes[i];
                position++;
                if (b == '\n') {
                    out.add(new Read(text(), position));
                } else {
                    partial.write(b);
                    if (partial.size() >= LogBatch.MAX_LINE_LENGTH) {
                        out.add(new Read(text(), position));
                    }
                }
            }
            partialGrewAt = nowNanos;
        }
        return budget;
    }

    private void flushPartial(List<Read> out) {
        if (partial.size() > 0) {
            out.add(new Read(text(), position));
        }
    }

    /** The partial line as text, then empty: a trailing CR (CRLF output) is dropped, bad UTF-8 replaced. */
    private String text() {
        byte[] bytes = partial.toByteArray();
        partial.reset();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private static String keyOf(Path path) throws IOException {
        try {
            return String.valueOf(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
