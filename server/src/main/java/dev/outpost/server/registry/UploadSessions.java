package dev.outpost.server.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resumable blob uploads, one directory per session under {@code sessions/<uuid>/}: {@code repository}
 * (whose upload it is) and {@code data} (the bytes received so far, appended in order). The size of
 * {@code data} is the session's offset, so a client whose connection was cut asks for it and goes on
 * from there, also after a server restart. Chunks of one session are serialized by a lock.
 */
final class UploadSessions {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** A chunk arrived that does not start where the session ends: the client must resume from {@code size}. */
    static final class OutOfOrderException extends Exception {
        final long size;

        OutOfOrderException(long size) {
            super("the upload has " + size + " bytes");
            this.size = size;
        }
    }

    /** The client's connection broke while it sent a chunk; what arrived is kept. */
    static final class CutOffException extends IOException {
        CutOffException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private final Path root;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    UploadSessions(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root);
    }

    String start(String repository) throws IOException {
        String id = UUID.randomUUID().toString();
        Path dir = root.resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("repository"), repository, StandardCharsets.UTF_8);
        Files.createFile(dir.resolve("data"));
        return id;
    }

    /** The bytes received so far, if {@code id} is a live session of {@code repository}. */
    Optional<Long> size(String repository, String id) throws IOException {
        Optional<Path> dir = dir(repository, id);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.size(dir.get().resolve("data")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Appends {@code in} to the session; {@code start}, when the client said where its chunk begins, must
     * be the current size. Returns the new size, or empty when there is no such session.
     */
    Optional<Long> append(String repository, String id, InputStream in, Long start) throws IOException, OutOfOrderException {
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        try {
            Optional<Path> dir = dir(repository, id);
            if (dir.isEmpty()) {
                return Optional.empty();
            }
            Path data = dir.get().resolve("data");
            long size = Files.size(data);
            if (start != null && start != size) {
                throw new OutOfOrderException(size);
            }
            try (OutputStream out = Files.newOutputStream(data, StandardOpenOption.APPEND)) {
                byte[] buffer = new byte[64 * 1024];
                long received = 0;
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        throw new CutOffException("upload " + id + " to " + repository + " was cut off after " + (size + received)
                                + " bytes; they are kept, GET the upload's status to resume", e);
                    }
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    received += n;
                }
                return Optional.of(size + received);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The data file of a session, for moving into the blob store; empty when there is no such session. */
    Optional<Path> data(String repository, String id) throws IOException {
        return dir(repository, id).map(d -> d.resolve("data"));
    }

    /** Removes the session; false when there was none. */
    boolean remove(String repository, String id) throws IOException {
        Optional<Path> dir = dir(repository, id);
        if (dir.isEmpty()) {
            return false;
        }
        Repository.removeTree(dir.get());
        locks.remove(id);
        return true;
    }

    /** Removes sessions that received nothing since {@code before}; returns their ids. */
    List<String> expire(Instant before) throws IOException {
        List<String> removed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                Instant last;
                try {
                    Path data = dir.resolve("data");
                    last = Files.getLastModifiedTime(Files.exists(data) ? data : dir).toInstant();
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (last.isBefore(before)) {
                    Repository.removeTree(dir);
                    locks.remove(dir.getFileName().toString());
                    removed.add(dir.getFileName().toString());
                }
            }
        }
        return removed;
    }

    static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private Optional<Path> dir(String repository, String id) throws IOException {
        if (!isId(id)) {
            return Optional.empty();
        }
        Path dir = root.resolve(id);
        try {
            String owner = Files.readString(dir.resolve("repository"), StandardCharsets.UTF_8);
            return owner.equals(repository) ? Optional.of(dir) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
