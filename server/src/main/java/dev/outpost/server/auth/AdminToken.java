package dev.outpost.server.auth;

import dev.outpost.core.Ids;
import dev.outpost.core.model.Token;
import dev.outpost.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * The admin token of a data directory: kept in {@code <data dir>/admin-token} (mode 0600), its hash
 * in the store. Reused when both agree, else a new one is made (e.g. a fresh database).
 */
public final class AdminToken {
    private AdminToken() {}

    public static String ensure(Store store, Path dataDir) throws IOException {
        Path file = dataDir.resolve("admin-token");
        if (Files.isReadable(file)) {
            String existing = Files.readString(file).trim();
            if (!existing.isEmpty() && store.findTokenByHash(TokenAuth.hash(existing)).isPresent()) {
                return existing;
            }
        }
        String secret = Ids.token();
        store.insertToken(new Token("admin-" + Ids.random(6), "admin", TokenAuth.hash(secret), true, Instant.now()));
        writePrivate(file, secret + "\n");
        return secret;
    }

    /** Writes {@code text} to {@code file} with mode 0600, atomically. */
    public static void writePrivate(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), ".admin-token", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
