package dev.outpost.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.RegisterHostRequest;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.server.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTest {
    @TempDir
    Path dir;
    ServerFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new ServerFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    void healthzNeedsNoToken() throws Exception {
        HttpResponse<String> r = f.call("GET", "/healthz", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void missingTokenIs401ProblemWithChallenge() throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(r).get("detail").asText()).contains("missing token");
        assertThat(json(r).get("status").asInt()).isEqualTo(401);
    }

    @Test
    void wrongTokenIs401() throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps", null, "op_not-a-real-token");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("detail").asText()).contains("invalid token");
    }

    @Test
    void adminTokenFileIsPrivate() throws Exception {
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("admin-token")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(java.nio.file.Files.readString(dir.resolve("admin-token")).trim()).isEqualTo(f.token);
    }

    @Test
    void unknownAppIs404NamingIt() throws Exception {
        HttpResponse<String> r = f.call("GET", "/v1/apps/nosuchapp", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("detail").asText()).contains("app nosuchapp not found");
    }

    @Test
    void unknownRegionIs404NamingIt() throws Exception {
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", "iad")).statusCode()).isEqualTo(201);
        HttpResponse<String> r = f.call("PUT", "/v1/apps/web/scale", new ScaleRequest(Map.of("mars", 1)));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("detail").asText()).contains("region mars not found").contains("iad, ams, syd");
    }

    @Test
    void malformedJsonIs400SayingWhere() throws Exception {
        HttpResponse<String> r = f.call("POST", "/v1/apps", "{\"name\": \"web\",");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).startsWith("malformed JSON body");
    }

    @Test
    void badAppNameIs400AndDuplicateIs409() throws Exception {
        HttpResponse<String> bad = f.call("POST", "/v1/apps", new CreateAppRequest("Bad_Name", null));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("detail").asText()).contains("Bad_Name");
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", null)).statusCode()).isEqualTo(201);
        HttpResponse<String> dup = f.call("POST", "/v1/apps", new CreateAppRequest("web", null));
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(json(f.call("GET", "/v1/apps/web", null)).get("primaryRegion").asText()).isEqualTo("iad");
    }

    @Test
    void releaseWithAnArtifactNotInTheRegistryIsRefused() throws Exception {
        f.call("POST", "/v1/apps", new CreateAppRequest("web", null));
        HttpResponse<String> r = f.call("POST", "/v1/apps/web/releases",
                Map.of("artifactDigest", "sha256:" + "0".repeat(64), "config", Map.of("app", "web")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("detail").asText()).contains("is not in the registry");
    }

    @Test
    void blockingQueryWakesWithin100msOfAChangeAndNotBefore() throws Exception {
        HttpResponse<String> first = f.call("GET", "/v1/routes", null);
        long index = json(first).get("index").asLong();
        assertThat(first.headers().firstValue("Outpost-Index")).contains(Long.toString(index));

        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return f.call("GET", "/v1/routes?index=" + index + "&wait=20s", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Not before: nothing changed, so the call is still parked after 500 ms.
        assertThat(waiting.completeOnTimeout(null, 500, TimeUnit.MILLISECONDS).get()).isNull();

        CompletableFuture<HttpResponse<String>> watcher = CompletableFuture.supplyAsync(() -> {
            try {
                return f.call("GET", "/v1/routes?index=" + index + "&wait=20s", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(300)).until(() -> true);
        long changed = System.nanoTime();
        assertThat(f.call("POST", "/v1/apps", new CreateAppRequest("web", null)).statusCode()).isEqualTo(201);
        HttpResponse<String> woken = watcher.get(5, TimeUnit.SECONDS);
        long wokeAfterMs = (System.nanoTime() - changed) / 1_000_000;
        assertThat(wokeAfterMs).isLessThan(100);
        assertThat(json(woken).get("index").asLong()).isGreaterThan(index);
        assertThat(json(woken).get("apps").get(0).get("app").asText()).isEqualTo("web");
    }

    @Test
    void blockingQueryReturnsAfterItsWaitWhenNothingChanges() throws Exception {
        long index = json(f.call("GET", "/v1/routes", null)).get("index").asLong();
        long start = System.nanoTime();
        HttpResponse<String> r = f.call("GET", "/v1/routes?index=" + index + "&wait=300ms", null);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290);
        assertThat(json(r).get("index").asLong()).isEqualTo(index);
    }

    @Test
    void heartbeatsDoNotWakeWatchers() throws Exception {
        RegisterHostRequest host = new RegisterHostRequest("iad", "127.1.1.1", 1024);
        assertThat(f.call("PUT", "/v1/hosts/iad-1", host).statusCode()).isEqualTo(200);
        long index = json(f.call("GET", "/v1/routes", null)).get("index").asLong();
        assertThat(f.call("PUT", "/v1/hosts/iad-1", host).statusCode()).isEqualTo(200);
        assertThat(json(f.call("GET", "/v1/routes", null)).get("index").asLong()).isEqualTo(index);
    }

    @Test
    void blobUploadChecksTheDigest() throws Exception {
        f.call("POST", "/v1/apps", new CreateAppRequest("web", null));
        byte[] data = "bundle bytes".getBytes();
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        HttpResponse<String> wrong = f.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.server.url()
                        + "/v2/web/blobs/uploads/?digest=sha256:" + "1".repeat(64))).header("Authorization", "Bearer " + f.token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("DIGEST_INVALID");
        HttpResponse<String> ok = f.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.server.url()
                        + "/v2/web/blobs/uploads/?digest=" + digest)).header("Authorization", "Bearer " + f.token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(ok.headers().firstValue("Docker-Content-Digest")).contains(digest);
        HttpResponse<String> got = f.call("GET", "/v2/web/blobs/" + digest, null);
        assertThat(got.body()).isEqualTo("bundle bytes");
        assertThat(f.call("GET", "/v2/web/blobs/" + digest, null, "wrong").statusCode()).isEqualTo(401);
    }
}
