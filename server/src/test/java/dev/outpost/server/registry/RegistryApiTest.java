package dev.outpost.server.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.server.ServerFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code /v2/} API against a real server, spoken with java.net.http (and a raw socket to cut an upload off). */
class RegistryApiTest {
    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
        for (String app : List.of("web", "api")) {
            assertThat(f.call("POST", "/v1/apps", new CreateAppRequest(app, "iad")).statusCode()).isEqualTo(201);
        }
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void versionCheckAnswersWithTheApiVersionHeader() throws Exception {
        HttpResponse<String> r = send("GET", "/v2/", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
    }

    @Test
    void wrongPasswordIsA401WithABasicChallengeAndAnOciError() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri("/v2/")).header("Authorization", basic("wrong")).GET().build();
        HttpResponse<String> r = f.http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"outpost\"");
        assertThat(errorCode(r)).isEqualTo("UNAUTHORIZED");

        HttpRequest good = HttpRequest.newBuilder(uri("/v2/")).header("Authorization", basic(f.token)).GET().build();
        assertThat(f.http.send(good, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(f.http.send(HttpRequest.newBuilder(uri("/v2/")).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void chunkedUploadStoresTheBlobAndServesRanges() throws Exception {
        byte[] blob = bytes(300_000, 1);
        String location = startUpload("web");
        HttpResponse<String> first = patch(location, Arrays.copyOfRange(blob, 0, 100_000), "0-99999");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).hasValue("0-99999");
        HttpResponse<String> second = patch(location, Arrays.copyOfRange(blob, 100_000, 250_000), null);
        assertThat(second.headers().firstValue("Range")).hasValue("0-249999");
        String digest = BlobStore.digestOf(blob);
        HttpResponse<String> done = send("PUT", location + "?digest=" + digest, Arrays.copyOfRange(blob, 250_000, blob.length), null);
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(done.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        assertThat(done.headers().firstValue("Location")).hasValue("/v2/web/blobs/" + digest);

        HttpResponse<byte[]> got = sendBytes("GET", "/v2/web/blobs/" + digest, null);
        assertThat(got.body()).isEqualTo(blob);
        HttpResponse<byte[]> head = sendBytes("HEAD", "/v2/web/blobs/" + digest, null);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("300000");
        HttpResponse<byte[]> range = sendBytes("GET", "/v2/web/blobs/" + digest, "bytes=10-19");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(blob, 10, 20));
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 10-19/300000");
        // Another repository does not see the blob until it is mounted there.
        assertThat(sendBytes("HEAD", "/v2/api/blobs/" + digest, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", location, null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aChunkLargerThanTheApiBodyLimitStreamsThrough() throws Exception {
        byte[] blob = bytes(20 * 1024 * 1024, 14);
        String location = startUpload("web");
        HttpResponse<String> r = patch(location, blob, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String digest = BlobStore.digestOf(blob);
        assertThat(send("PUT", location + "?digest=" + digest, null, null).statusCode()).isEqualTo(201);
        assertThat(sendBytes("HEAD", "/v2/web/blobs/" + digest, null).headers().firstValue("Content-Length"))
                .hasValue(Integer.toString(blob.length));
    }

    @Test
    void uploadCutOffMidChunkResumesFromTheReportedOffset() throws Exception {
        byte[] blob = bytes(200_000, 2);
        String location = startUpload("web");
        // Announce the whole blob, send 70 000 bytes, then drop the connection.
        try (Socket s = new Socket("127.0.0.1", f.server.url().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + f.token
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + blob.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(blob, 0, 70_000);
            out.flush();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> send("GET", location, null, null).headers().firstValue("Range")
                .orElse("").equals("0-69999"));
        HttpResponse<String> status = send("GET", location, null, null);
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Docker-Upload-UUID")).hasValueSatisfying(id -> assertThat(location).endsWith(id));

        long offset = Long.parseLong(status.headers().firstValue("Range").orElseThrow().split("-")[1]) + 1;
        HttpResponse<String> rest = patch(location, Arrays.copyOfRange(blob, (int) offset, blob.length), offset + "-" + (blob.length - 1));
        assertThat(rest.statusCode()).isEqualTo(202);
        String digest = BlobStore.digestOf(blob);
        assertThat(send("PUT", location + "?digest=" + digest, null, null).statusCode()).isEqualTo(201);
        assertThat(sendBytes("GET", "/v2/web/blobs/" + digest, null).body()).isEqualTo(blob);
    }

    @Test
    void outOfOrderChunkIs416WithTheCurrentRange() throws Exception {
        String location = startUpload("web");
        patch(location, bytes(1000, 3), "0-999");
        HttpResponse<String> r = patch(location, bytes(1000, 4), "2000-2999");
        assertThat(r.statusCode()).isEqualTo(416);
        assertThat(r.headers().firstValue("Range")).hasValue("0-999");
        assertThat(r.headers().firstValue("Location")).hasValue(location);
        assertThat(errorCode(r)).isEqualTo("BLOB_UPLOAD_INVALID");
    }

    @Test
    void wrongDigestIsRejectedAndNothingIsStored() throws Exception {
        String location = startUpload("web");
        patch(location, bytes(5000, 5), null);
        String claimed = BlobStore.digestOf("something else".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send("PUT", location + "?digest=" + claimed, null, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        assertThat(sendBytes("HEAD", "/v2/web/blobs/" + claimed, null).statusCode()).isEqualTo(404);

        HttpResponse<String> mono = send("POST", "/v2/web/blobs/uploads/?digest=" + claimed, bytes(10, 6), null);
        assertThat(errorCode(mono)).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void mountLinksABlobOfAnotherRepositoryElseStartsAnUpload() throws Exception {
        byte[] blob = bytes(4096, 7);
        String digest = pushBlob("web", blob);
        HttpResponse<String> mounted = send("POST", "/v2/api/blobs/uploads/?mount=" + digest + "&from=web", null, null);
        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Location")).hasValue("/v2/api/blobs/" + digest);
        assertThat(sendBytes("GET", "/v2/api/blobs/" + digest, null).body()).isEqualTo(blob);

        String unknown = BlobStore.digestOf(bytes(10, 8));
        HttpResponse<String> fallback = send("POST", "/v2/api/blobs/uploads/?mount=" + unknown + "&from=web", null, null);
        assertThat(fallback.statusCode()).isEqualTo(202);
        assertThat(fallback.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith("/v2/api/blobs/uploads/"));
    }

    @Test
    void manifestPushedByTagIsServedByTagAndDigest() throws Exception {
        Image image = pushImage("web", "v1");
        HttpResponse<String> byTag = send("GET", "/v2/web/manifests/v1", null, null);
        assertThat(byTag.statusCode()).isEqualTo(200);
        assertThat(byTag.headers().firstValue("Content-Type")).hasValue(Manifest.OCI_MANIFEST);
        assertThat(byTag.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest);
        assertThat(byTag.body()).isEqualTo(image.manifest);
        HttpResponse<String> head = send("HEAD", "/v2/web/manifests/" + image.digest, null, null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(image.manifest.length()));
        assertThat(send("GET", "/v2/api/manifests/v1", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void manifestNamingAMissingBlobIsManifestBlobUnknown() throws Exception {
        String config = pushBlob("web", "{}".getBytes(StandardCharsets.UTF_8));
        String missing = BlobStore.digestOf(bytes(100, 9));
        String manifest = manifest(Manifest.DOCKER_MANIFEST, config, missing);
        HttpResponse<String> r = putManifest("web", "v1", manifest, Manifest.DOCKER_MANIFEST);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(r.body()).contains(missing);
        assertThat(send("GET", "/v2/web/manifests/v1", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void manifestPushedUnderAnotherDigestIsDigestInvalid() throws Exception {
        Image image = pushImage("web", "v1");
        String other = BlobStore.digestOf(bytes(3, 10));
        HttpResponse<String> r = putManifest("web", other, image.manifest, Manifest.OCI_MANIFEST);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("DIGEST_INVALID");
        assertThat(putManifest("web", image.digest, image.manifest, Manifest.OCI_MANIFEST).statusCode()).isEqualTo(201);
    }

    @Test
    void badManifestsAreManifestInvalid() throws Exception {
        assertThat(errorCode(putManifest("web", "v1", "{not json", Manifest.OCI_MANIFEST))).isEqualTo("MANIFEST_INVALID");
        assertThat(errorCode(putManifest("web", "v1", "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.DOCKER_MANIFEST + "\"}",
                Manifest.OCI_MANIFEST))).isEqualTo("MANIFEST_INVALID");
        assertThat(errorCode(putManifest("web", "v1", "{}", "application/vnd.docker.distribution.manifest.v1+prettyjws")))
                .isEqualTo("MANIFEST_INVALID");
    }

    @Test
    void indexNamingAMissingManifestIsManifestUnknown() throws Exception {
        Image image = pushImage("web", "amd64");
        String missing = BlobStore.digestOf(bytes(50, 11));
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.OCI_INDEX + "\",\"manifests\":["
                + descriptor(Manifest.OCI_MANIFEST, image.digest, image.manifest.length()) + ","
                + descriptor(Manifest.OCI_MANIFEST, missing, 10) + "]}";
        HttpResponse<String> r = putManifest("web", "multi", index, Manifest.OCI_INDEX);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(errorCode(r)).isEqualTo("MANIFEST_UNKNOWN");

        String good = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.OCI_INDEX + "\",\"manifests\":["
                + descriptor(Manifest.OCI_MANIFEST, image.digest, image.manifest.length()) + "]}";
        assertThat(putManifest("web", "multi", good, Manifest.OCI_INDEX).statusCode()).isEqualTo(201);
        assertThat(send("GET", "/v2/web/manifests/multi", null, null).headers().firstValue("Content-Type")).hasValue(Manifest.OCI_INDEX);
    }

    @Test
    void tagsAreListedInPages() throws Exception {
        Image image = pushImage("web", "a");
        for (String tag : List.of("b", "c", "d")) {
            assertThat(putManifest("web", tag, image.manifest, Manifest.OCI_MANIFEST).statusCode()).isEqualTo(201);
        }
        JsonNode all = Json.mapper().readTree(send("GET", "/v2/web/tags/list", null, null).body());
        assertThat(all.path("name").asText()).isEqualTo("web");
        assertThat(all.path("tags").toString()).isEqualTo("[\"a\",\"b\",\"c\",\"d\"]");

        HttpResponse<String> page = send("GET", "/v2/web/tags/list?n=2", null, null);
        assertThat(Json.mapper().readTree(page.body()).path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(page.headers().firstValue("Link")).hasValue("</v2/web/tags/list?n=2&last=b>; rel=\"next\"");
        HttpResponse<String> next = send("GET", "/v2/web/tags/list?n=2&last=b", null, null);
        assertThat(Json.mapper().readTree(next.body()).path("tags").toString()).isEqualTo("[\"c\",\"d\"]");
        assertThat(next.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void deletingAManifestRemovesItsTagsAndDeletingABlobUnlinksIt() throws Exception {
        Image image = pushImage("web", "v1");
        putManifest("web", "latest", image.manifest, Manifest.OCI_MANIFEST);
        assertThat(send("DELETE", "/v2/web/manifests/" + image.digest, null, null).statusCode()).isEqualTo(202);
        assertThat(send("GET", "/v2/web/manifests/v1", null, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v2/web/manifests/" + image.digest, null, null).statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(send("GET", "/v2/web/tags/list", null, null).body()).path("tags")).isEmpty();
        assertThat(send("DELETE", "/v2/web/manifests/" + image.digest, null, null).statusCode()).isEqualTo(404);

        assertThat(send("DELETE", "/v2/web/blobs/" + image.layer, null, null).statusCode()).isEqualTo(202);
        assertThat(sendBytes("HEAD", "/v2/web/blobs/" + image.layer, null).statusCode()).isEqualTo(404);
    }

    @Test
    void cancelledUploadIsGone() throws Exception {
        String location = startUpload("web");
        assertThat(send("DELETE", location, null, null).statusCode()).isEqualTo(204);
        assertThat(errorCode(send("GET", location, null, null))).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void unknownRepositoryIsNameUnknown() throws Exception {
        HttpResponse<String> r = send("POST", "/v2/nope/blobs/uploads/", null, null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(errorCode(r)).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void garbageCollectionKeepsWhatManifestsReferenceAndRemovesTheRest() throws Exception {
        Image kept = pushImage("web", "v1");
        String orphan = pushBlob("api", bytes(2048, 12));
        Image deleted = pushImage("api", "old");
        assertThat(send("DELETE", "/v2/api/manifests/" + deleted.digest, null, null).statusCode()).isEqualTo(202);

        HttpResponse<String> r = f.call("POST", "/v1/registry/gc?grace=0s", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode result = Json.mapper().readTree(r.body());
        assertThat(result.path("removedBlobs").toString()).contains(orphan, deleted.digest, deleted.layer).doesNotContain(kept.digest)
                .doesNotContain(kept.layer);
        assertThat(result.path("bytesFreed").asLong()).isPositive();
        assertThat(sendBytes("GET", "/v2/web/blobs/" + kept.layer, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/web/manifests/v1", null, null).statusCode()).isEqualTo(200);
        assertThat(sendBytes("HEAD", "/v2/api/blobs/" + orphan, null).statusCode()).isEqualTo(404);

        // Within the grace period nothing goes; only an admin may collect.
        String fresh = pushBlob("api", bytes(10, 13));
        JsonNode graced = Json.mapper().readTree(f.call("POST", "/v1/registry/gc", null).body());
        assertThat(graced.path("removedBlobs").toString()).doesNotContain(fresh);
        String secret = Json.mapper().readTree(f.call("POST", "/v1/tokens", "{\"name\":\"ci\"}").body()).path("secret").asText();
        assertThat(f.call("POST", "/v1/registry/gc", null, secret).statusCode()).isEqualTo(403);
    }

    @Test
    void deletingTheAppDropsItsRepository() throws Exception {
        Image image = pushImage("web", "v1");
        assertThat(f.call("DELETE", "/v1/apps/web", null).statusCode()).isEqualTo(204);
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", "iad")).statusCode()).isEqualTo(201);
        assertThat(send("GET", "/v2/web/manifests/v1", null, null).statusCode()).isEqualTo(404);
        assertThat(sendBytes("HEAD", "/v2/web/blobs/" + image.layer, null).statusCode()).isEqualTo(404);
    }

    // ---- helpers ----

    record Image(String digest, String manifest, String layer) {}

    /** A config and a layer blob, then an OCI manifest naming them, tagged {@code tag}. */
    private Image pushImage(String repo, String tag) throws Exception {
        String config = pushBlob(repo, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8));
        String layer = pushBlob(repo, bytes(1000, tag.hashCode()));
        String manifest = manifest(Manifest.OCI_MANIFEST, config, layer);
        HttpResponse<String> r = putManifest(repo, tag, manifest, Manifest.OCI_MANIFEST);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String digest = BlobStore.digestOf(manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        return new Image(digest, manifest, layer);
    }

    private static String manifest(String mediaType, String config, String layer) {
        String configType = mediaType.equals(Manifest.OCI_MANIFEST) ? "application/vnd.oci.image.config.v1+json"
                : "application/vnd.docker.container.image.v1+json";
        return "{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"config\":" + descriptor(configType, config, 2)
                + ",\"layers\":[" + descriptor("application/vnd.oci.image.layer.v1.tar", layer, 1000) + "]}";
    }

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private String pushBlob(String repo, byte[] blob) throws Exception {
        String digest = BlobStore.digestOf(blob);
        HttpResponse<String> r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, blob, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return digest;
    }

    private String startUpload(String repo) throws Exception {
        HttpResponse<String> r = send("POST", "/v2/" + repo + "/blobs/uploads/", null, null);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.headers().firstValue("Range")).hasValue("0-0");
        return r.headers().firstValue("Location").orElseThrow();
    }

    private HttpResponse<String> patch(String location, byte[] chunk, String contentRange) throws Exception {
        HttpRequest.Builder b = request(location).header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk));
        if (contentRange != null) {
            b.header("Content-Range", contentRange);
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> putManifest(String repo, String reference, String manifest, String contentType) throws Exception {
        HttpRequest req = request("/v2/" + repo + "/manifests/" + reference).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(manifest)).build();
        return f.http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String range) throws Exception {
        HttpRequest.Builder b = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (range != null) {
            b.header("Range", range);
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> sendBytes(String method, String path, String range) throws Exception {
        HttpRequest.Builder b = request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (range != null) {
            b.header("Range", range);
        }
        return f.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + f.token);
    }

    private URI uri(String path) {
        return URI.create(f.server.url() + path);
    }

    private static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("anyone:" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String errorCode(HttpResponse<String> r) throws IOException {
        return Json.mapper().readTree(r.body()).path("errors").path(0).path("code").asText();
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
