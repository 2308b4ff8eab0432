package dev.outpost.agent.driver.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines of an instance's {@code output.log}. The process writes the file directly (not
 * through a pipe to the agent) so it keeps running and logging while the agent restarts; the tail is
 * therefore read from the end of the file on demand instead of kept in memory.
 */
public final class LogTail {
    /** Read at most this much from the end: enough for {@link #MAX_LINES} lines of ordinary length. */
    private static final int WINDOW = 64 * 1024;
    /** The most lines a caller can get back. */
    public static final int MAX_LINES = 50;

    private LogTail() {}

    /** Up to {@code lines} (at most {@link #MAX_LINES}) last lines of {@code file}, oldest first; empty if it is missing. */
    public static List<String> read(Path file, int lines) {
        int n = Math.min(Math.max(lines, 0), MAX_LINES);
        if (n == 0) {
            return List.of();
        }
        byte[] bytes;
        boolean truncated;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - WINDOW);
            truncated = from > 0;
            bytes = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(bytes);
        } catch (IOException missing) {
            return List.of();
        }
        List<String> all = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1)));
        if (!all.isEmpty() && all.getLast().isEmpty()) {
            all.removeLast();
        }
        if (truncated && !all.isEmpty()) {
            all.removeFirst(); // cut in the middle by the window
        }
        return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    }
}
