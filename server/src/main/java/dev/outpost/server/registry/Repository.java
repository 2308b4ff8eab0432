package dev.outpost.server.registry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One repository's metadata on disk, under {@code repositories/<name>/}: {@code blobs/<hex>} (empty
 * link files: the blobs pushed or mounted here), {@code manifests/<hex>} (a link holding the manifest's
 * media type) and {@code tags/<tag>} (the digest it points at). Bytes live in the {@link BlobStore}.
 * Every file is written to a temporary name, synced and renamed, so a reader never sees half a tag.
 */
final class Repository {
    static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    private final String name;
    private final Path dir;

    Repository(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    String name() {
        return name;
    }

    boolean hasBlob(String digest) {
        return Files.isRegularFile(link("blobs", digest));
    }

    void linkBlob(String digest) throws IOException {
        if (!hasBlob(digest)) {
            writeAtomically(link("blobs", digest), "");
        }
    }

    boolean unlinkBlob(String digest) throws IOException {
        return Files.deleteIfExists(link("blobs", digest));
    }

    List<String> blobs() throws IOException {
        return digests("blobs");
    }

    boolean hasManifest(String digest) {
        return Files.isRegularFile(link("manifests", digest));
    }

    /** The media type the manifest was pushed with, if it is in this repository. */
    Optional<String> manifestMediaType(String digest) throws IOException {
        try {
            return Optional.of(Files.readString(link("manifests", digest), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    void linkManifest(String digest, String mediaType) throws IOException {
        writeAtomically(link("manifests", digest), mediaType);
    }

    /** Removes the manifest and every tag pointing at it; false when it was not here. */
    boolean unlinkManifest(String digest) throws IOException {
        for (String tag : tags()) {
            if (resolveTag(tag).filter(digest::equals).isPresent()) {
                Files.deleteIfExists(dir.resolve("tags").resolve(tag));
            }
        }
        return Files.deleteIfExists(link("manifests", digest));
    }

    List<String> manifests() throws IOException {
        return digests("manifests");
    }

    void tag(String tag, String digest) throws IOException {
        writeAtomically(dir.resolve("tags").resolve(tag), digest);
    }

    boolean untag(String tag) throws IOException {
        return Files.deleteIfExists(dir.resolve("tags").resolve(tag));
    }

    Optional<String> resolveTag(String tag) throws IOException {
        try {
            String digest = Files.readString(dir.resolve("tags").resolve(tag), StandardCharsets.UTF_8).trim();
            return BlobStore.isDigest(digest) ? Optional.of(digest) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Tags in lexical order. */
    List<String> tags() throws IOException {
        return names(dir.resolve("tags")).stream().filter(t -> TAG.matcher(t).matches()).sorted().toList();
    }

    /**
     * Deletes the whole repository: renamed aside first, so it vanishes at once even if removing the
     * files is cut short; what a crash leaves aside goes at the next garbage collection.
     */
    void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Path aside = dir.resolveSibling(".deleted-" + name + "-" + UUID.randomUUID());
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        removeTree(aside);
    }

    static void removeTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Path link(String kind, String digest) {
        if (!BlobStore.isDigest(digest)) {
            throw new IllegalArgumentException("\"" + digest + "\" is not a sha256 digest");
        }
        return dir.resolve(kind).resolve(digest.substring("sha256:".length()));
    }

    private List<String> digests(String kind) throws IOException {
        List<String> out = new ArrayList<>();
        for (String n : names(dir.resolve(kind))) {
            if (BlobStore.isDigest("sha256:" + n)) {
                out.add("sha256:" + n);
            }
        }
        return out;
    }

    private static List<String> names(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(StandardCharsets.UTF_8.encode(content));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
