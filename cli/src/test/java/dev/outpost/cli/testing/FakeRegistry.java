package dev.outpost.cli.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the OCI distribution API that {@code docker push} uses, served by
 * {@link FakeOutpostApi} under {@code /v2/}: the version check, blob {@code HEAD}, chunked uploads
 * ({@code POST}, {@code PATCH}, {@code PUT ?digest=}, digest checked) and manifest {@code PUT}.
 * Blobs and manifests land in the fake's blob map under their digests, so a release of a pushed
 * manifest is accepted as the server would.
 */
final class FakeRegistry {
    private static final Pattern BLOB = Pattern.compile("/v2/([^/]+)/blobs/(sha256:[0-9a-f]{64})");
    private static final Pattern START = Pattern.compile("/v2/([^/]+)/blobs/uploads/?");
    private static final Pattern UPLOAD = Pattern.compile("/v2/([^/]+)/blobs/uploads/([0-9a-f-]{36})");
    private static final Pattern MANIFEST = Pattern.compile("/v2/([^/]+)/manifests/([^/]+)");

    private final Map<String, byte[]> blobs;
    private final Map<String, ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final Map<String, String> tags = new ConcurrentHashMap<>();

    FakeRegistry(Map<String, byte[]> blobs) {
        this.blobs = blobs;
    }

    /** The digest {@code app:tag} was pushed as, or null. */
    String manifest(String app, String tag) {
        return tags.get(app + ":" + tag);
    }

    /** Answers the request when it is one of the registry's; false when it is not. */
    boolean route(HttpExchange ex, String method, String path, String query, byte[] body) throws IOException {
        Matcher m;
        if ((path.equals("/v2/") || path.equals("/v2")) && method.equals("GET")) {
            ex.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
            byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, empty.length);
            ex.getResponseBody().write(empty);
        } else if ((m = BLOB.matcher(path)).matches() && method.equals("HEAD")) {
            byte[] blob = blobs.get(m.group(2));
            if (blob == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.getResponseHeaders().add("Docker-Content-Digest", m.group(2));
                ex.getResponseHeaders().add("Content-Length", Integer.toString(blob.length));
                ex.sendResponseHeaders(200, -1);
            }
        } else if ((m = START.matcher(path)).matches() && method.equals("POST")) {
            // mounts (?mount=&from=) are answered as a fresh upload, which the spec allows
            String id = UUID.randomUUID().toString();
            uploads.put(id, new ByteArrayOutputStream());
            uploadAccepted(ex, m.group(1), id, 0);
        } else if ((m = UPLOAD.matcher(path)).matches() && method.equals("PATCH")) {
            ByteArrayOutputStream upload = uploads.get(m.group(2));
            if (upload == null) {
                error(ex, 404, "BLOB_UPLOAD_UNKNOWN", "no upload " + m.group(2));
                return true;
            }
            upload.write(body);
            uploadAccepted(ex, m.group(1), m.group(2), upload.size());
        } else if ((m = UPLOAD.matcher(path)).matches() && method.equals("PUT")) {
            ByteArrayOutputStream upload = uploads.remove(m.group(2));
            String digest = query == null ? null : URLDecoder.decode(query.replaceFirst("^.*digest=([^&]+).*$", "$1"), StandardCharsets.UTF_8);
            if (upload == null) {
                error(ex, 404, "BLOB_UPLOAD_UNKNOWN", "no upload " + m.group(2));
                return true;
            }
            upload.write(body);
            byte[] bytes = upload.toByteArray();
            if (digest == null || !digest.equals(FakeOutpostApi.sha256(bytes))) {
                error(ex, 400, "DIGEST_INVALID", "digest " + digest + " does not match the upload's " + FakeOutpostApi.sha256(bytes));
                return true;
            }
            blobs.put(digest, bytes);
            ex.getResponseHeaders().add("Location", "/v2/" + m.group(1) + "/blobs/" + digest);
            ex.getResponseHeaders().add("Docker-Content-Digest", digest);
            ex.sendResponseHeaders(201, -1);
        } else if ((m = MANIFEST.matcher(path)).matches() && method.equals("PUT")) {
            String digest = FakeOutpostApi.sha256(body);
            blobs.put(digest, body);
            if (!m.group(2).startsWith("sha256:")) {
                tags.put(m.group(1) + ":" + m.group(2), digest);
            }
            ex.getResponseHeaders().add("Location", "/v2/" + m.group(1) + "/manifests/" + digest);
            ex.getResponseHeaders().add("Docker-Content-Digest", digest);
            ex.sendResponseHeaders(201, -1);
        } else {
            return false;
        }
        return true;
    }

    private static void uploadAccepted(HttpExchange ex, String name, String id, int size) throws IOException {
        ex.getResponseHeaders().add("Location", "/v2/" + name + "/blobs/uploads/" + id);
        ex.getResponseHeaders().add("Docker-Upload-UUID", id);
        ex.getResponseHeaders().add("Range", "0-" + Math.max(0, size - 1));
        ex.sendResponseHeaders(202, -1);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] bytes = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
