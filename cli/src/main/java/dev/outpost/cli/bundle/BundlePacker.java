package dev.outpost.cli.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Packs an app directory into a tar that depends only on the tree's names, contents, executable
 * bits and symlink targets: entries sorted by path, every time set to the epoch, owner 0:0 with no
 * names. The same tree therefore always gives the same digest, so an unchanged app is not uploaded
 * twice.
 */
public final class BundlePacker {
    private static final FileTime EPOCH = FileTime.fromMillis(0);
    private static final IgnoreRules NO_RULES = IgnoreRules.parse("");

    private BundlePacker() {}

    /** Packs {@code dir} into a temporary file; close the answer to delete it. */
    public static Bundle pack(Path dir) throws BundleException {
        Path file;
        try {
            file = Files.createTempFile("outpost-bundle-", ".tar");
        } catch (IOException e) {
            throw new BundleException("cannot create a temporary file for the bundle: " + e.getMessage(), e);
        }
        try {
            return pack(dir, file);
        } catch (BundleException | RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Packs {@code dir} into {@code file} (replacing it). */
    public static Bundle pack(Path dir, Path file) throws BundleException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new BundleException("cannot pack " + root + ": not a directory", null);
        }
        Map<String, Path> entries;
        IgnoreRules rules;
        try {
            rules = IgnoreRules.load(root);
            entries = new TreeMap<>();
            collect(root, root, rules, entries);
        } catch (IOException e) {
            throw new BundleException("cannot read " + root + ": " + e.getMessage(), e);
        }
        MessageDigest sha256 = sha256();
        int files = 0;
        try (OutputStream raw = Files.newOutputStream(file);
             DigestOutputStream digesting = new DigestOutputStream(raw, sha256);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(digesting, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, Path> e : entries.entrySet()) {
                if (write(tar, e.getKey(), e.getValue())) {
                    files++;
                }
            }
            tar.finish();
        } catch (IOException e) {
            throw new BundleException("cannot pack " + root + " into " + file + ": " + e.getMessage(), e);
        }
        try {
            return new Bundle(file, "sha256:" + HexFormat.of().formatHex(sha256.digest()), Files.size(file), files);
        } catch (IOException e) {
            throw new BundleException("cannot read the bundle " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds what {@code dir} holds to {@code out}, keyed by relative path ("a/b", directories with a
     * trailing "/"). A directory excluded as a whole is searched only when a "!" rule could bring
     * something inside it back; a re-included file brings its parent directories along.
     */
    private static void collect(Path root, Path dir, IgnoreRules rules, Map<String, Path> out) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                String rel = root.relativize(child).toString().replace('\\', '/');
                boolean excluded = rules.excludes(rel);
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    if (!excluded) {
                        out.put(rel + "/", child);
                    }
                    if (!excluded || (rules.hasReincludes() && !isAlwaysSkipped(rel))) {
                        collect(root, child, rules, out);
                    }
                } else if (!excluded) {
                    out.put(rel, child);
                    addParents(root, rel, out);
                }
            }
        }
    }

    private static boolean isAlwaysSkipped(String rel) {
        return NO_RULES.excludes(rel);
    }

    private static void addParents(Path root, String rel, Map<String, Path> out) {
        for (int i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
            String parent = rel.substring(0, i);
            out.putIfAbsent(parent + "/", root.resolve(parent));
        }
    }

    /** Writes one entry; true when it was a regular file. */
    private static boolean write(TarArchiveOutputStream tar, String name, Path path) throws IOException {
        TarArchiveEntry entry;
        boolean regular = false;
        if (name.endsWith("/")) {
            entry = new TarArchiveEntry(name, TarConstants.LF_DIR, true);
            entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
        } else if (Files.isSymbolicLink(path)) {
            entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            entry.setLinkName(Files.readSymbolicLink(path).toString().replace('\\', '/'));
            entry.setMode(0120777);
        } else {
            entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            entry.setMode(Files.isExecutable(path) ? 0100755 : 0100644);
            entry.setSize(Files.size(path));
            regular = true;
        }
        entry.setModTime(EPOCH);
        entry.setIds(0, 0);
        entry.setNames("", "");
        tar.putArchiveEntry(entry);
        if (regular) {
            try (InputStream in = Files.newInputStream(path)) {
                in.transferTo(tar);
            }
        }
        tar.closeArchiveEntry();
        return regular;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
