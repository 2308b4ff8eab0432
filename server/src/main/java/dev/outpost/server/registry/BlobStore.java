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
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

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

    /** Stores {@code in} under {@code expected}; returns its size. */
    public long put(String expected, InputStream in) throws IOException {
        if (!isDigest(expected)) {
            throw new IllegalArgumentException("\"" + expected + "\" is not a sha256 digest");
        }
        Path tmp = root.resolve("uploads").resolve(UUID.randomUUID() + ".part");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
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

    private Path path(String digest) {
        return root.resolve("sha256").resolve(digest.substring("sha256:".length()));
    }
}
