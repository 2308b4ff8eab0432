package dev.outpost.server.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Blobs stored by their sha256 digest under {@code <root>/sha256/<hex>}. A write goes to a temporary
 * file, is hashed on the way, synced, checked against the expected digest and only then moved into
 * place atomically: a crash or a mismatch never leaves bytes under a digest they do not have.
 */
public final class BlobStore {
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    /** The bytes did not hash to the digest the caller announced. */
    public static final class DigestMismatchException extends IOException {
        public DigestMismatchException(String expected, String actual) {
            super("the uploaded bytes have digest " + actual + ", not " + expected);
        }
    }

    /** A stored blob, as the garbage collector sees it. */
    public record StoredBlob(String digest, long size, Instant modified) {}

    private final Path root;

    public BlobStore(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("sha256"));
        Files.createDirectories(root.resolve("uploads"));
    }

    public static boolean isDigest(String digest) {
        return digest != null && DIGEST.matcher(digest).matches();
    }

    public boolean exists(String digest) {
        return isDigest(digest) && Files.isRegularFile(path(digest));
    }

    public Optional<Path> find(String digest) {
        return exists(digest) ? Optional.of(path(digest)) : Optional.empty();
    }

    /** The directory this store lives in; the registry keeps its sessions and repositories beside the blobs, on the same file system. */
    public Path root() {
        return root;
    }

    /** The sha256 digest of {@code bytes}, as {@code sha256:<hex>}. */
    public static String digestOf(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public byte[] read(String digest) throws IOException {
        return Files.readAllBytes(path(requireDigest(digest)));
    }

    /**
     * Marks the blob as just used, so a collection with a grace period leaves it alone while a client
     * that found it goes on to reference it.
     */
    public void touch(String digest) throws IOException {
        try {
            Files.setLastModifiedTime(path(requireDigest(digest)), FileTime.from(Instant.now()));
        } catch (java.nio.file.NoSuchFileException e) {
            // Collected between the caller's check and now: the caller's next existence check says so.
        }
    }

    /** Removes the blob; false when it was not there. */
    public boolean delete(String digest) throws IOException {
        return Files.deleteIfExists(path(requireDigest(digest)));
    }

    /** Every stored blob, with its size and when it was last written or {@linkplain #touch touched}. */
    public List<StoredBlob> list() throws IOException {
        List<StoredBlob> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("sha256"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String digest = "sha256:" + p.getFileName();
                if (!isDigest(digest)) {
                    continue;
                }
                try {
                    out.add(new StoredBlob(digest, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
                } catch (java.nio.file.NoSuchFileException e) {
                    // Deleted while listing: nothing to report.
                }
            }
        }
        return out;
    }

    /** Removes temporary files of monolithic uploads a crash left behind, if older than {@code before}; returns how many. */
    public int removeTemporaries(Instant before) throws IOException {
        int removed = 0;
        try (Stream<Path> files = Files.list(root.resolve("uploads"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                try {
                    if (p.getFileName().toString().endsWith(".part") && Files.getLastModifiedTime(p).toInstant().isBefore(before)
                            && Files.deleteIfExists(p)) {
                        removed++;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // Its upload finished while we looked: not ours to count.
                }
            }
        }
        return removed;
    }

    /**
     * Moves {@code file} (on this store's file system) under {@code expected} once its bytes are synced
     * and hash to it; returns its size. On a mismatch the file stays where it is and nothing is stored.
     */
    public long putFile(String expected, Path file) throws IOException {
        requireDigest(expected);
        MessageDigest sha = sha256();
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.force(true);
            try (InputStream in = java.nio.channels.Channels.newInputStream(ch);
                 DigestInputStream din = new DigestInputStream(in, sha)) {
                size = din.transferTo(OutputStream.nullOutputStream());
            }
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(expected, actual);
        }
        Files.move(file, path(expected), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return size;
    }

    /** Stores {@code in} under {@code expected}; returns its size. */
    public long put(String expected, InputStream in) throws IOException {
        if (!isDigest(expected)) {
            throw new IllegalArgumentException("\"" + expected + "\" is not a sha256 digest");
        }
        Path tmp = root.resolve("uploads").resolve(UUID.randomUUID() + ".part");
        MessageDigest sha = sha256();
        long size;
        try {
            try (DigestInputStream din = new DigestInputStream(in, sha);
                 OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                size = din.transferTo(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            String actual = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (!actual.equals(expected)) {
                throw new DigestMismatchException(expected, actual);
            }
            Files.move(tmp, path(expected), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return size;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static String requireDigest(String digest) {
        if (!isDigest(digest)) {
            throw new IllegalArgumentException("\"" + digest + "\" is not a sha256 digest");
        }
        return digest;
    }

    private Path path(String digest) {
        return root.resolve("sha256").resolve(digest.substring("sha256:".length()));
    }
}
