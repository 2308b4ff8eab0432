package dev.outpost.server.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image registry behind {@code /v2/}: repositories (one per app) of manifests, tags and blob links
 * on the file system next to the content-addressed {@link BlobStore}, resumable uploads, and garbage
 * collection. The public methods are what the rest of the server calls (promote, app deletion, the
 * periodic collection); {@link RegistryApi} speaks HTTP through the package-private ones.
 *
 * <p>Layout under the blob store's root: {@code sha256/} (blobs), {@code sessions/<uuid>/} (uploads in
 * progress), {@code repositories/<name>/} (see {@link Repository}). Writes that link blobs or manifests
 * share a lock the collector takes alone, so a manifest is never stored while its blobs are being swept.
 */
public final class Registry {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);
    /** One path component of an OCI repository name; app names always match it. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");

    /** A manifest as stored: its digest, the media type it was pushed with, and its bytes. */
    record StoredManifest(String digest, String mediaType, byte[] bytes) {}

    private final BlobStore blobs;
    private final Path repositories;
    private final UploadSessions uploads;
    private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();

    public Registry(BlobStore blobs) throws IOException {
        this.blobs = blobs;
        this.repositories = blobs.root().resolve("repositories");
        Files.createDirectories(repositories);
        this.uploads = new UploadSessions(blobs.root().resolve("sessions"));
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** True when {@code repo} holds the manifest {@code digest} (pushed there or copied in). */
    public boolean hasManifest(String repo, String digest) {
        return BlobStore.isDigest(digest) && repository(repo).hasManifest(digest) && blobs.exists(digest);
    }

    /** True when {@code repo} can serve blob {@code digest} (pushed, mounted or copied in). */
    public boolean hasBlob(String repo, String digest) {
        return BlobStore.isDigest(digest) && repository(repo).hasBlob(digest) && blobs.exists(digest);
    }

    /**
     * Makes manifest {@code digest} of {@code fromRepo} available in {@code toRepo}, with every blob and
     * child manifest it references (no tag: promote pulls by digest). No bytes are copied.
     *
     * @throws RegistryException {@code MANIFEST_UNKNOWN} when {@code fromRepo} lacks the manifest
     */
    public void copyManifest(String fromRepo, String toRepo, String digest) {
        Repository from = repository(fromRepo);
        Repository to = repository(toRepo);
        locked(gcLock.readLock(), "copy of " + digest + " from " + fromRepo + " to " + toRepo, () -> {
            copy(from, to, digest, 0);
            return null;
        });
    }

    /**
     * Makes blob {@code digest} of {@code fromRepo} (a source bundle, say) available in {@code toRepo}.
     *
     * @throws RegistryException {@code BLOB_UNKNOWN} when {@code fromRepo} lacks it
     */
    public void copyBlob(String fromRepo, String toRepo, String digest) {
        Repository from = repository(fromRepo);
        Repository to = repository(toRepo);
        locked(gcLock.readLock(), "copy of blob " + digest + " from " + fromRepo + " to " + toRepo, () -> {
            if (!BlobStore.isDigest(digest) || !from.hasBlob(digest) || !blobs.exists(digest)) {
                throw RegistryException.blobUnknown(fromRepo, digest);
            }
            to.linkBlob(digest);
            return null;
        });
    }

    /** Removes the repository's tags, manifests and blob links; the blobs stay until {@link #collectGarbage}. */
    public void deleteRepository(String repo) {
        Repository r = repository(repo);
        locked(gcLock.readLock(), "deletion of repository " + repo, () -> {
            r.delete();
            return null;
        });
    }

    /**
     * Marks every blob a manifest of any repository references (the manifests themselves, their config
     * and layers, an index's children), plus {@code alsoKeep} and, when one of those is a manifest, what
     * it references; removes every other blob last written more than {@code grace} ago, upload sessions
     * quiet for longer than {@code grace}, and what crashes left half-done.
     */
    public GcResult collectGarbage(Set<String> alsoKeep, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace " + grace + " is negative: give a duration of 0 or more");
        }
        return locked(gcLock.writeLock(), "garbage collection", () -> {
            Instant cutoff = Instant.now().minus(grace);
            Set<String> marked = new HashSet<>();
            for (Repository r : allRepositories()) {
                for (String digest : r.manifests()) {
                    mark(digest, marked);
                }
            }
            for (String digest : alsoKeep) {
                if (BlobStore.isDigest(digest)) {
                    mark(digest, marked);
                }
            }
            List<String> removed = new ArrayList<>();
            long freed = 0;
            int kept = 0;
            for (BlobStore.StoredBlob blob : blobs.list()) {
                if (marked.contains(blob.digest()) || blob.modified().isAfter(cutoff)) {
                    kept++;
                } else if (blobs.delete(blob.digest())) {
                    removed.add(blob.digest());
                    freed += blob.size();
                }
            }
            for (Repository r : allRepositories()) {
                for (String digest : r.blobs()) {
                    if (!blobs.exists(digest)) {
                        r.unlinkBlob(digest);
                    }
                }
            }
            List<String> expired = uploads.expire(cutoff);
            blobs.removeTemporaries(cutoff);
            removeDeletedRepositories();
            log.info("registry garbage collection: removed {} blobs ({} bytes) and {} upload sessions, kept {} blobs",
                    removed.size(), freed, expired.size(), kept);
            return new GcResult(List.copyOf(removed), freed, List.copyOf(expired), kept);
        });
    }

    // ---- what RegistryApi calls ----

    /** The file of blob {@code digest} if {@code repo} has it. */
    Optional<Path> blob(String repo, String digest) {
        return hasBlob(repo, digest) ? blobs.find(digest) : Optional.empty();
    }

    /** Links blob {@code digest} into {@code repo} if the store has it; its file then. */
    Optional<Path> adopt(String repo, String digest) {
        if (!blobs.exists(digest)) {
            return Optional.empty();
        }
        link(repository(repo), digest);
        return blobs.find(digest);
    }

    /** Stores a whole blob sent in one request and links it into {@code repo}. */
    void putBlob(String repo, String digest, InputStream in) throws IOException {
        Repository r = repository(repo);
        try {
            blobs.put(digest, in);
        } catch (BlobStore.DigestMismatchException e) {
            throw RegistryException.digestInvalid("blob upload to " + repo + ": " + e.getMessage());
        }
        link(r, digest);
    }

    /** Links blob {@code digest} of {@code from} into {@code repo}; false when {@code from} lacks it. */
    boolean mount(String repo, String digest, String from) {
        Repository r = repository(repo);
        if (from == null || !NAME.matcher(from).matches() || !hasBlob(from, digest)) {
            return false;
        }
        link(r, digest);
        return true;
    }

    void deleteBlob(String repo, String digest) throws IOException {
        if (!repository(repo).unlinkBlob(digest)) {
            throw RegistryException.blobUnknown(repo, digest);
        }
    }

    String startUpload(String repo) throws IOException {
        return uploads.start(repository(repo).name());
    }

    long uploadSize(String repo, String id) throws IOException {
        return uploads.size(repository(repo).name(), id).orElseThrow(() -> RegistryException.uploadUnknown(repo, id));
    }

    /** Appends a chunk; {@code start} is where the client says it begins (null when it did not say). */
    long appendUpload(String repo, String id, InputStream in, Long start) throws IOException, UploadSessions.OutOfOrderException {
        return uploads.append(repository(repo).name(), id, in, start).orElseThrow(() -> RegistryException.uploadUnknown(repo, id));
    }

    /** Checks the session's bytes against {@code digest}, moves them under it and links the blob; the session ends either way. */
    void completeUpload(String repo, String id, String digest) throws IOException {
        Repository r = repository(repo);
        Path data = uploads.data(repo, id).orElseThrow(() -> RegistryException.uploadUnknown(repo, id));
        try {
            locked(gcLock.readLock(), "completion of upload " + id, () -> {
                blobs.putFile(digest, data);
                r.linkBlob(digest);
                return null;
            });
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BlobStore.DigestMismatchException m) {
                throw RegistryException.digestInvalid("upload " + id + " to " + repo + ": " + m.getMessage()
                        + "; the upload is discarded, push the blob again");
            }
            throw e;
        } finally {
            uploads.remove(repo, id);
        }
    }

    boolean cancelUpload(String repo, String id) throws IOException {
        return uploads.remove(repository(repo).name(), id);
    }

    /**
     * Validates and stores a pushed manifest under {@code reference} (a tag, or the digest it must have).
     * Returns its digest.
     */
    String putManifest(String repo, String reference, byte[] bytes, String contentType) {
        Repository r = repository(repo);
        String digest = BlobStore.digestOf(bytes);
        boolean byDigest = reference.contains(":");
        if (byDigest) {
            if (!BlobStore.isDigest(reference)) {
                throw RegistryException.digestInvalid("\"" + reference + "\" is not a sha256 digest (sha256:<64 hex digits>)");
            }
            if (!reference.equals(digest)) {
                throw RegistryException.digestInvalid("the manifest pushed as " + reference + " has digest " + digest);
            }
        } else if (!Repository.TAG.matcher(reference).matches()) {
            throw new RegistryException(400, "TAG_INVALID", "tag \"" + reference
                    + "\" is invalid: 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
        }
        Manifest manifest = Manifest.parse(bytes, contentType);
        return locked(gcLock.readLock(), "push of manifest " + repo + ":" + reference, () -> {
            for (Manifest.Descriptor d : manifest.blobs()) {
                if (!d.external() && !(r.hasBlob(d.digest()) && blobs.exists(d.digest()))) {
                    throw new RegistryException(400, "MANIFEST_BLOB_UNKNOWN", "manifest " + repo + ":" + reference + " references blob "
                            + d.digest() + " (" + d.mediaType() + "), which is not in repository " + repo + ": push it first");
                }
            }
            for (Manifest.Descriptor d : manifest.children()) {
                if (!(r.hasManifest(d.digest()) && blobs.exists(d.digest()))) {
                    throw new RegistryException(400, "MANIFEST_UNKNOWN", "index " + repo + ":" + reference + " references manifest "
                            + d.digest() + ", which is not in repository " + repo + ": push it first");
                }
            }
            blobs.put(digest, new java.io.ByteArrayInputStream(bytes));
            r.linkManifest(digest, manifest.mediaType());
            if (!byDigest) {
                r.tag(reference, digest);
            }
            return digest;
        });
    }

    /** The manifest {@code reference} (tag or digest) names in {@code repo}. */
    StoredManifest manifest(String repo, String reference) throws IOException {
        Repository r = repository(repo);
        String digest = resolve(r, reference);
        Optional<String> mediaType = r.manifestMediaType(digest);
        if (mediaType.isEmpty() || !blobs.exists(digest)) {
            throw RegistryException.manifestUnknown(repo, reference);
        }
        return new StoredManifest(digest, mediaType.get(), blobs.read(digest));
    }

    /** By digest: removes the manifest and every tag on it. By tag: removes just the tag. */
    void deleteManifest(String repo, String reference) throws IOException {
        Repository r = repository(repo);
        boolean removed = reference.contains(":") ? BlobStore.isDigest(reference) && r.unlinkManifest(reference) : r.untag(reference);
        if (!removed) {
            throw RegistryException.manifestUnknown(repo, reference);
        }
    }

    List<String> tags(String repo) throws IOException {
        return repository(repo).tags();
    }

    // ---- internals ----

    private Repository repository(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RegistryException(400, "NAME_INVALID", "repository name \"" + name + "\" is invalid: lower-case letters and digits, "
                    + "separated by '.', '_' or '-' (an app name)");
        }
        return new Repository(name, repositories.resolve(name));
    }

    private String resolve(Repository r, String reference) throws IOException {
        if (reference.contains(":")) {
            if (!BlobStore.isDigest(reference)) {
                throw RegistryException.digestInvalid("\"" + reference + "\" is not a sha256 digest (sha256:<64 hex digits>)");
            }
            return reference;
        }
        if (!Repository.TAG.matcher(reference).matches()) {
            throw RegistryException.manifestUnknown(r.name(), reference);
        }
        return r.resolveTag(reference).orElseThrow(() -> RegistryException.manifestUnknown(r.name(), reference));
    }

    private void link(Repository r, String digest) {
        locked(gcLock.readLock(), "link of " + digest + " into " + r.name(), () -> {
            if (!blobs.exists(digest)) {
                throw RegistryException.blobUnknown(r.name(), digest);
            }
            // A blob found again counts as new, so a collection's grace period covers the push it joins.
            blobs.touch(digest);
            r.linkBlob(digest);
            return null;
        });
    }

    private void copy(Repository from, Repository to, String digest, int depth) throws IOException {
        if (depth > 8) {
            throw RegistryException.manifestInvalid("manifest " + digest + " of " + from.name() + " nests indexes deeper than 8 levels");
        }
        Optional<String> mediaType = BlobStore.isDigest(digest) ? from.manifestMediaType(digest) : Optional.empty();
        if (mediaType.isEmpty() || !blobs.exists(digest)) {
            throw RegistryException.manifestUnknown(from.name(), digest);
        }
        Manifest manifest = Manifest.parse(blobs.read(digest), mediaType.get());
        for (Manifest.Descriptor child : manifest.children()) {
            copy(from, to, child.digest(), depth + 1);
        }
        for (Manifest.Descriptor d : manifest.blobs()) {
            if (!d.external()) {
                if (!blobs.exists(d.digest())) {
                    throw RegistryException.blobUnknown(from.name(), d.digest());
                }
                to.linkBlob(d.digest());
            }
        }
        to.linkManifest(digest, mediaType.get());
    }

    /** Marks {@code digest} and, when it is a manifest, everything it references. */
    private void mark(String root, Set<String> marked) throws IOException {
        Deque<String> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            String digest = todo.pop();
            if (!marked.add(digest)) {
                continue;
            }
            Optional<Manifest> manifest = readManifest(digest);
            if (manifest.isPresent()) {
                manifest.get().blobs().forEach(d -> todo.push(d.digest()));
                manifest.get().children().forEach(d -> todo.push(d.digest()));
            }
        }
    }

    /** The blob as a manifest, when it is one (bundles and layers are not). */
    private Optional<Manifest> readManifest(String digest) throws IOException {
        Optional<Path> path = blobs.find(digest);
        if (path.isEmpty() || Files.size(path.get()) > Manifest.MAX_BYTES) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(path.get());
        if (bytes.length == 0 || bytes[0] != '{') {
            return Optional.empty();
        }
        try {
            return Optional.of(Manifest.parse(bytes, null));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    private List<Repository> allRepositories() throws IOException {
        try (Stream<Path> dirs = Files.list(repositories)) {
            return dirs.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches())
                    .map(n -> new Repository(n, repositories.resolve(n))).toList();
        }
    }

    private void removeDeletedRepositories() throws IOException {
        try (Stream<Path> dirs = Files.list(repositories)) {
            for (Path p : dirs.filter(p -> p.getFileName().toString().startsWith(".deleted-")).toList()) {
                Repository.removeTree(p);
            }
        }
    }

    private interface IoAction<T> {
        T run() throws IOException;
    }

    private static <T> T locked(Lock lock, String what, IoAction<T> action) {
        lock.lock();
        try {
            return action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(what + " failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }
}
