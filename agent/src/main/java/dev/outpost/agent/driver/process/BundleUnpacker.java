package dev.outpost.agent.driver.process;

import dev.outpost.agent.driver.DriverException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a source bundle (a tar, optionally gzipped) into a directory. Entries that would land
 * outside it ({@code ../x}, absolute paths, links pointing out) are refused, since a bundle comes
 * from whoever could deploy and must not write elsewhere on the host.
 */
public final class BundleUnpacker {
    private BundleUnpacker() {}

    /** Unpacks {@code bundle} into {@code target} (created if missing). */
    public static void unpack(Path bundle, Path target) throws DriverException {
        Path root = target.toAbsolutePath().normalize();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(bundle));
             TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(raw))) {
            Files.createDirectories(root);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path dest = inside(root, entry.getName(), bundle);
                if (entry.isDirectory()) {
                    Files.createDirectories(dest);
                } else if (entry.isSymbolicLink()) {
                    Path linkTarget = dest.getParent().resolve(entry.getLinkName()).normalize();
                    if (!linkTarget.startsWith(root)) {
                        throw new DriverException("bundle " + bundle + " has a link " + entry.getName() + " → "
                                + entry.getLinkName() + " that points outside the instance directory; refused");
                    }
                    Files.createDirectories(dest.getParent());
                    Files.deleteIfExists(dest);
                    Files.createSymbolicLink(dest, Path.of(entry.getLinkName()));
                } else if (entry.isFile()) {
                    Files.createDirectories(dest.getParent());
                    Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                    applyMode(dest, entry.getMode());
                } else {
                    throw new DriverException("bundle " + bundle + " has an entry " + entry.getName()
                            + " that is neither a file, a directory nor a symbolic link; refused");
                }
            }
        } catch (IOException e) {
            throw new DriverException("cannot unpack bundle " + bundle + " into " + root + ": " + e.getMessage(), e);
        }
    }

    private static InputStream decompressed(InputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        // gzip magic: the CLI may pack .tar.gz; plain tar is what the registry is documented to hold.
        return b1 == 0x1f && b2 == 0x8b ? new GzipCompressorInputStream(in) : in;
    }

    private static Path inside(Path root, String name, Path bundle) throws DriverException {
        Path dest = root.resolve(name).normalize();
        if (Path.of(name).isAbsolute() || !dest.startsWith(root) || dest.equals(root) && !name.matches("\\.?/?")) {
            throw new DriverException("bundle " + bundle + " has an entry \"" + name
                    + "\" that escapes the instance directory; refused");
        }
        return dest;
    }

    private static void applyMode(Path file, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if ((mode & 0100) != 0) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
        }
        if ((mode & 0010) != 0) {
            perms.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if ((mode & 0040) != 0) {
            perms.add(PosixFilePermission.GROUP_READ);
        }
        if ((mode & 0004) != 0) {
            perms.add(PosixFilePermission.OTHERS_READ);
        }
        if ((mode & 0001) != 0) {
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        try {
            Files.setPosixFilePermissions(file, perms);
        } catch (UnsupportedOperationException notPosix) {
            // Windows file systems have no modes; the file is still readable and that is enough there.
        }
    }
}
