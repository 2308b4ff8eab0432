package dev.outpost.agent.blob;

import dev.outpost.agent.control.ControlPlane;
import dev.outpost.agent.control.ControlPlaneException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs by digest under {@code <dataDir>/blobs/sha256/<hex>}. A blob lands there only after its
 * bytes hashed to its digest (written to a temporary file, verified, then moved atomically), so a
 * file in the cache is always a verified one and is reused as is.
 */
public final class BlobCache {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCache.class);
    private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-f]{64})");

    private final Path dir;
    private final ControlPlane controlPlane;

    public BlobCache(Path dataDir, ControlPlane controlPlane) {
        this.dir = dataDir.toAbsolutePath().resolve("blobs").resolve("sha256");
        this.controlPlane = controlPlane;
    }

    /** Where the blob {@code digest} lives (or will live) on disk. */
    public Path path(String digest) throws BlobException {
        var m = DIGEST.matcher(digest == null ? "" : digest);
        if (!m.matches()) {
            throw new BlobException("\"" + digest + "\" is not a blob digest (expected sha256: and 64 lower-case hex digits)");
        }
        return dir.resolve(m.group(1));
    }

    /** The verified blob {@code digest} of {@code app}, downloaded unless the cache has it. */
    public Path fetch(String app, String digest) throws BlobException, InterruptedException {
        Path target = path(digest);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
        } catch (IOException e) {
            throw new BlobException("cannot write bundle " + digest + " under " + dir + ": " + e.getMessage(), e);
        }
        try {
            String got = download(app, digest, tmp);
            if (!got.equals(digest)) {
                throw new BlobException("bundle " + digest + " does not match its digest (got " + got + ")");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("downloaded bundle {} of {} ({} bytes)", digest, app, Files.size(target));
            return target;
        } catch (IOException e) {
            throw new BlobException("cannot store bundle " + digest + " at " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                LOG.warn("cannot remove the partial download {}: {}", tmp, e.toString());
            }
        }
    }

    /** Copies the blob into {@code tmp} and answers the digest of what arrived. */
    private String download(String app, String digest, Path tmp) throws BlobException, InterruptedException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(controlPlane.openBlob(app, digest), sha256);
             OutputStream out = Files.newOutputStream(tmp)) {
            in.transferTo(out);
        } catch (ControlPlaneException e) {
            throw new BlobException("cannot download bundle " + digest + " of " + app + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BlobException("download of bundle " + digest + " of " + app + " broke off: " + e.getMessage(), e);
        }
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
