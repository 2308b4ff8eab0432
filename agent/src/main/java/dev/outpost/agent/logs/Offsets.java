package dev.outpost.agent.logs;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far each instance's output was shipped, in {@code <dataDir>/logs/offsets.json}, so that a
 * restarted agent goes on where the server's last answer left it: no line lost, none sent twice.
 * An offset moves only when the server stored the lines before it (or the buffer dropped them).
 * Written atomically (temporary file, then rename). Not thread-safe: the shipper's thread owns it.
 */
final class Offsets {
    private static final Logger LOG = LoggerFactory.getLogger(Offsets.class);

    /**
     * One file's progress: the instance's app, the file's identity ({@code fileKey}, so a replaced
     * file starts over), the random {@code stream} name its lines' origins carry, and the byte
     * offset after the last line shipped.
     */
    record Entry(String app, String fileKey, String stream, long offset) {}

    private final Path file;
    private final Map<String, Entry> entries;
    private boolean dirty;

    private Offsets(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** Reads the offsets of {@code file}; none when it does not exist yet. */
    static Offsets load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Offsets(file, new TreeMap<>());
        }
        Map<String, Entry> read = Json.mapper().readValue(file.toFile(), new TypeReference<TreeMap<String, Entry>>() {});
        return new Offsets(file, read == null ? new TreeMap<>() : new TreeMap<>(read));
    }

    /**
     * Reads the offsets of {@code file}, or starts with none when it is unreadable: the agent must run
     * even so, at the price of shipping every output from its start again.
     */
    static Offsets loadOrStartOver(Path file) {
        try {
            return load(file);
        } catch (IOException e) {
            LOG.error("cannot read the log offsets {}; shipping every instance's output from its start: {}", file, e.getMessage());
            Offsets fresh = new Offsets(file, new TreeMap<>());
            fresh.dirty = true;
            return fresh;
        }
    }

    Optional<Entry> get(String instanceId) {
        return Optional.ofNullable(entries.get(instanceId));
    }

    Map<String, Entry> all() {
        return Map.copyOf(entries);
    }

    void put(String instanceId, Entry entry) {
        if (!entry.equals(entries.put(instanceId, entry))) {
            dirty = true;
        }
    }

    void remove(String instanceId) {
        if (entries.remove(instanceId) != null) {
            dirty = true;
        }
    }

    /** Writes the file when anything changed since the last save. */
    void save() {
        if (!dirty) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Json.mapper().writeValue(tmp.toFile(), entries);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            dirty = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write log offsets to " + file + ": " + e.getMessage(), e);
        }
    }
}
