package dev.outpost.server.registry;

import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.model.Token;
import dev.outpost.server.api.ApiException;
import dev.outpost.server.auth.TokenAuth;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI distribution API under {@code /v2/} over {@link Registry}: the version check, blob uploads
 * (monolithic, chunked and resumable, cross-repository mounts), blobs and manifests by digest or tag,
 * tag listing; plus {@code POST /v1/registry/gc} for an admin. A repository is an app. Every answer
 * carries {@code Docker-Distribution-API-Version}; errors use the OCI body
 * ({@code {"errors":[{"code":…,"message":…}]}}), and a missing or wrong token gets a Basic challenge,
 * which is what {@code docker login} answers.
 */
public final class RegistryApi {
    private static final Logger log = LoggerFactory.getLogger(RegistryApi.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes )?(\\d+)-(\\d+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int MAX_TAGS_PAGE = 10_000;

    private final Registry registry;
    private final Store store;
    private final TokenAuth auth;
    private final Supplier<Set<String>> alsoKeep;

    /**
     * @param alsoKeep blobs the collector must keep although no manifest references them (every
     *                 release's artifact), asked for at each collection
     */
    public RegistryApi(Registry registry, Store store, TokenAuth auth, Supplier<Set<String>> alsoKeep) {
        this.registry = registry;
        this.store = store;
        this.auth = auth;
        this.alsoKeep = alsoKeep;
    }

    public void register(RoutesConfig routes) {
        routes.exception(RegistryException.class, RegistryApi::render);
        routes.before("/v2/*", this::authenticate);
        routes.before("/v2", this::authenticate);
        routes.get("/v2", ctx -> ctx.json(Map.of()));
        routes.post("/v2/{name}/blobs/uploads", this::startUpload);
        routes.get("/v2/{name}/blobs/uploads/{id}", this::uploadStatus);
        routes.patch("/v2/{name}/blobs/uploads/{id}", this::appendUpload);
        routes.put("/v2/{name}/blobs/uploads/{id}", this::completeUpload);
        routes.delete("/v2/{name}/blobs/uploads/{id}", this::cancelUpload);
        routes.head("/v2/{name}/blobs/{digest}", ctx -> serveBlob(ctx, false));
        routes.get("/v2/{name}/blobs/{digest}", ctx -> serveBlob(ctx, true));
        routes.delete("/v2/{name}/blobs/{digest}", this::deleteBlob);
        routes.put("/v2/{name}/manifests/{reference}", this::putManifest);
        routes.head("/v2/{name}/manifests/{reference}", ctx -> serveManifest(ctx, false));
        routes.get("/v2/{name}/manifests/{reference}", ctx -> serveManifest(ctx, true));
        routes.delete("/v2/{name}/manifests/{reference}", this::deleteManifest);
        routes.get("/v2/{name}/tags/list", this::listTags);
        routes.post("/v1/registry/gc", this::collectGarbage);
    }

    public static void render(RegistryException e, Context ctx) {
        ctx.status(e.status()).contentType("application/json");
        try {
            ctx.result(Json.mapper().writeValueAsBytes(Map.of("errors", List.of(Map.of("code", e.code(), "message", e.getMessage())))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            ctx.result(e.getMessage());
        }
    }

    private void authenticate(Context ctx) {
        ctx.header("Docker-Distribution-API-Version", "registry/2.0");
        // Layers are compressed already, and a re-compressed body would lose its Content-Length.
        ctx.disableCompression();
        try {
            auth.authenticate(ctx.header("Authorization"));
        } catch (ApiException e) {
            ctx.header("WWW-Authenticate", "Basic realm=\"outpost\"");
            throw new RegistryException(401, "UNAUTHORIZED", e.getMessage()
                    + " (registry clients: docker login with any user name and an Outpost token as password)");
        }
    }

    // ---- uploads ----

    private void startUpload(Context ctx) throws IOException {
        String name = repository(ctx);
        String mount = ctx.queryParam("mount");
        if (mount != null) {
            requireDigest(mount);
            if (registry.mount(name, mount, ctx.queryParam("from"))) {
                blobCreated(ctx, name, mount);
                return;
            }
        }
        String digest = ctx.queryParam("digest");
        if (digest != null) {
            requireDigest(digest);
            try (InputStream in = ctx.bodyInputStream()) {
                registry.putBlob(name, digest, in);
            }
            blobCreated(ctx, name, digest);
            return;
        }
        String id = registry.startUpload(name);
        uploadAccepted(ctx.status(202), name, id, 0);
    }

    private void uploadStatus(Context ctx) throws IOException {
        String name = repository(ctx);
        String id = ctx.pathParam("id");
        uploadAccepted(ctx.status(204), name, id, registry.uploadSize(name, id));
    }

    private void appendUpload(Context ctx) throws IOException {
        String name = repository(ctx);
        String id = ctx.pathParam("id");
        long size = append(ctx, name, id);
        uploadAccepted(ctx.status(202), name, id, size);
    }

    private void completeUpload(Context ctx) throws IOException {
        String name = repository(ctx);
        String id = ctx.pathParam("id");
        String digest = ctx.queryParam("digest");
        if (digest == null) {
            throw RegistryException.digestInvalid("PUT " + ctx.path() + " needs ?digest=sha256:<hex> naming the uploaded blob");
        }
        requireDigest(digest);
        append(ctx, name, id);
        registry.completeUpload(name, id, digest);
        blobCreated(ctx, name, digest);
    }

    private void cancelUpload(Context ctx) throws IOException {
        String name = repository(ctx);
        String id = ctx.pathParam("id");
        if (!registry.cancelUpload(name, id)) {
            throw RegistryException.uploadUnknown(name, id);
        }
        ctx.status(204);
    }

    /** Appends the request body to the session, honouring {@code Content-Range}; returns the new size. */
    private long append(Context ctx, String name, String id) throws IOException {
        Long start = null;
        String contentRange = ctx.header("Content-Range");
        if (contentRange != null && !contentRange.isBlank()) {
            Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
            if (!m.matches() || Long.parseLong(m.group(2)) < Long.parseLong(m.group(1))) {
                throw new RegistryException(400, "BLOB_UPLOAD_INVALID", "Content-Range \"" + contentRange
                        + "\" is invalid: expected <first byte>-<last byte>, e.g. 0-1048575");
            }
            start = Long.parseLong(m.group(1));
            long length = Long.parseLong(m.group(2)) - start + 1;
            String contentLength = ctx.header("Content-Length");
            if (contentLength != null && !contentLength.equals(Long.toString(length))) {
                throw new RegistryException(400, "BLOB_UPLOAD_INVALID", "Content-Range " + contentRange + " is " + length
                        + " bytes but Content-Length is " + contentLength);
            }
        }
        try (InputStream in = ctx.bodyInputStream()) {
            return registry.appendUpload(name, id, in, start);
        } catch (UploadSessions.OutOfOrderException e) {
            uploadAccepted(ctx, name, id, e.size);
            throw new RegistryException(416, "BLOB_UPLOAD_INVALID", "chunk starts at byte " + start + " but upload " + id + " has "
                    + e.size + " bytes: send the chunk that starts at " + e.size);
        } catch (UploadSessions.CutOffException e) {
            log.info("{}", e.getMessage());
            throw new RegistryException(400, "BLOB_UPLOAD_INVALID", e.getMessage());
        }
    }

    private static void uploadAccepted(Context ctx, String name, String id, long size) {
        ctx.header("Location", "/v2/" + name + "/blobs/uploads/" + id)
                .header("Range", "0-" + Math.max(0, size - 1))
                .header("Docker-Upload-UUID", id);
    }

    private static void blobCreated(Context ctx, String name, String digest) {
        ctx.status(201).header("Location", "/v2/" + name + "/blobs/" + digest).header("Docker-Content-Digest", digest);
    }

    // ---- blobs ----

    private void serveBlob(Context ctx, boolean body) throws IOException {
        String name = repository(ctx);
        String digest = ctx.pathParam("digest");
        requireDigest(digest);
        Path path = registry.blob(name, digest).or(() -> releasedArtifact(name, digest))
                .orElseThrow(() -> RegistryException.blobUnknown(name, digest));
        if (!body) {
            // A client that found the blob may skip its upload and reference it next: keep it from the collector a while.
            registry.blobs().touch(digest);
        }
        long size = Files.size(path);
        long first = 0;
        long last = size - 1;
        String range = ctx.header("Range");
        Matcher m = range == null ? null : RANGE.matcher(range.trim());
        if (m != null && m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
            if (m.group(1).isEmpty()) {
                first = Math.max(0, size - Long.parseLong(m.group(2)));
            } else {
                first = Long.parseLong(m.group(1));
                last = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
            }
            if (first > last || first >= size) {
                ctx.header("Content-Range", "bytes */" + size);
                throw new RegistryException(416, "BLOB_UNKNOWN", "Range " + range + " is outside blob " + digest + " of " + size + " bytes");
            }
            ctx.status(206).header("Content-Range", "bytes " + first + "-" + last + "/" + size);
        }
        long length = last - first + 1;
        ctx.header("Docker-Content-Digest", digest).header("Accept-Ranges", "bytes").header("ETag", "\"" + digest + "\"")
                .header("Content-Length", Long.toString(Math.max(0, length))).contentType("application/octet-stream");
        if (body && length > 0) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                OutputStream out = ctx.outputStream();
                WritableByteChannel target = Channels.newChannel(out);
                long sent = 0;
                while (sent < length) {
                    sent += ch.transferTo(first + sent, length - sent, target);
                }
                out.flush();
            }
        }
    }

    private void deleteBlob(Context ctx) throws IOException {
        String name = repository(ctx);
        String digest = ctx.pathParam("digest");
        requireDigest(digest);
        registry.deleteBlob(name, digest);
        ctx.status(202);
    }

    // ---- manifests and tags ----

    private void putManifest(Context ctx) throws IOException {
        String name = repository(ctx);
        String reference = ctx.pathParam("reference");
        byte[] bytes;
        try (InputStream in = ctx.bodyInputStream()) {
            bytes = in.readNBytes(Manifest.MAX_BYTES + 1);
        }
        if (bytes.length > Manifest.MAX_BYTES) {
            throw new RegistryException(413, "MANIFEST_INVALID", "manifest " + name + ":" + reference + " is larger than "
                    + Manifest.MAX_BYTES + " bytes");
        }
        String digest = registry.putManifest(name, reference, bytes, ctx.header("Content-Type"));
        ctx.status(201).header("Location", "/v2/" + name + "/manifests/" + digest).header("Docker-Content-Digest", digest);
    }

    private void serveManifest(Context ctx, boolean body) throws IOException {
        String name = repository(ctx);
        Registry.StoredManifest m = registry.manifest(name, ctx.pathParam("reference"));
        ctx.header("Docker-Content-Digest", m.digest()).header("ETag", "\"" + m.digest() + "\"")
                .header("Content-Length", Integer.toString(m.bytes().length)).contentType(m.mediaType());
        if (body) {
            ctx.result(m.bytes());
        }
    }

    private void deleteManifest(Context ctx) throws IOException {
        String name = repository(ctx);
        registry.deleteManifest(name, ctx.pathParam("reference"));
        ctx.status(202);
    }

    /** The body of {@code GET /v2/<name>/tags/list}. */
    record TagList(String name, List<String> tags) {}

    private void listTags(Context ctx) throws IOException {
        String name = repository(ctx);
        List<String> tags = registry.tags(name);
        String last = ctx.queryParam("last");
        if (last != null) {
            tags = tags.stream().filter(t -> t.compareTo(last) > 0).toList();
        }
        String nParam = ctx.queryParam("n");
        if (nParam != null) {
            int n;
            try {
                n = Integer.parseInt(nParam);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > MAX_TAGS_PAGE) {
                throw new RegistryException(400, "PAGINATION_NUMBER_INVALID", "n=" + nParam + " is invalid: give 0-" + MAX_TAGS_PAGE);
            }
            if (tags.size() > n) {
                tags = tags.subList(0, n);
                if (n > 0) {
                    ctx.header("Link", "</v2/" + name + "/tags/list?n=" + n + "&last=" + tags.get(n - 1) + ">; rel=\"next\"");
                }
            }
        }
        ctx.json(new TagList(name, tags));
    }

    // ---- garbage collection ----

    private void collectGarbage(Context ctx) {
        Token caller = auth.authenticate(ctx.header("Authorization"));
        if (!caller.admin()) {
            throw ApiException.forbidden("registry garbage collection needs an admin token");
        }
        Duration grace = GarbageCollector.DEFAULT_GRACE;
        String graceParam = ctx.queryParam("grace");
        if (graceParam != null) {
            try {
                grace = Durations.parse(graceParam);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("grace: " + e.getMessage());
            }
        }
        ctx.json(registry.collectGarbage(alsoKeep.get(), grace));
    }

    /**
     * A release's artifact is readable from its app's repository even if it was never pushed there: a
     * source bundle promoted from another app, or one stored before repositories kept links. It is
     * linked on the way, so the next read finds it directly.
     */
    private Optional<Path> releasedArtifact(String name, String digest) {
        if (store.listReleases(name).stream().noneMatch(r -> digest.equals(r.artifactDigest()))) {
            return Optional.empty();
        }
        return registry.adopt(name, digest);
    }

    // ---- input ----

    private String repository(Context ctx) {
        String name = ctx.pathParam("name");
        if (store.findApp(name).isEmpty()) {
            throw new RegistryException(404, "NAME_UNKNOWN", "repository " + name + " is not an app here (create it with outpost launch)");
        }
        return name;
    }

    private static void requireDigest(String digest) {
        if (!BlobStore.isDigest(digest)) {
            throw RegistryException.digestInvalid("\"" + digest + "\" is not a sha256 digest (sha256:<64 hex digits>)");
        }
    }
}
