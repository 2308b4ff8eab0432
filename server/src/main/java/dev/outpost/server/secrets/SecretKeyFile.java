package dev.outpost.server.secrets;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The server's secrets key: {@value SecretBox#KEY_BYTES} random bytes in a file of mode 0600,
 * created on first start. A key file others could read, or that is not exactly one key, stops the
 * server: running on with a leaked or wrong key would be worse than not starting.
 */
public final class SecretKeyFile {
    public static final String NAME = "secrets.key";
    private static final Set<PosixFilePermission> PRIVATE = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private SecretKeyFile() {}

    /**
     * The box for the key in {@code file}, creating the file (0600, new random key) when it does not exist.
     *
     * @throws SecretsException when the file's mode is looser than 0600, it is not {@value SecretBox#KEY_BYTES}
     *     bytes, or it cannot be read or written; the message says how to fix it
     */
    public static SecretBox open(Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            create(file);
        }
        Set<PosixFilePermission> mode;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new SecretsException("secrets key " + file + " is not a regular file: move it away; the server creates a new one"
                        + " (secrets sealed under the old key are then lost)");
            }
            mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new SecretsException("cannot read the mode of secrets key " + file + ": " + e.getMessage(), e);
        }
        if (!PRIVATE.containsAll(mode)) {
            throw new SecretsException("secrets key " + file + " has mode " + PosixFilePermissions.toString(mode)
                    + "; it must be readable by its owner only: chmod 600 " + file);
        }
        byte[] key;
        try {
            key = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SecretsException("cannot read secrets key " + file + ": " + e.getMessage(), e);
        }
        try {
            if (key.length != SecretBox.KEY_BYTES) {
                throw new SecretsException("secrets key " + file + " is malformed: " + key.length + " bytes, expected "
                        + SecretBox.KEY_BYTES + " random bytes; restore it from a backup (a new key cannot open the secrets stored)");
            }
            return new SecretBox(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static void create(Path file) {
        byte[] key = new byte[SecretBox.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // Created with its mode in one step, so no moment exists where others could read it.
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), NAME, ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE));
            try {
                Files.write(tmp, key, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
                // A link, not a move: two servers starting at once on one data directory keep the first key.
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use theirs
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new SecretsException("cannot create secrets key " + file + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
