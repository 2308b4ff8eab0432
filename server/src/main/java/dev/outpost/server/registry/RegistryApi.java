package dev.outpost.server.registry;

import dev.outpost.core.Json;
import dev.outpost.server.api.ApiException;
import dev.outpost.server.auth.TokenAuth;
import dev.outpost.store.Store;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The blob endpoints of the OCI distribution API under {@code /v2/}: monolithic upload by digest
 * ({@code POST /v2/{name}/blobs/uploads/?digest=}), {@code HEAD} and {@code GET} by digest. Errors use
 * the OCI error body ({@code {"errors":[{"code":…,"message":…}]}}). The repository name is the app.
 */
public final class RegistryApi {
    private final BlobStore blobs;
    private final Store store;
    private final TokenAuth auth;

    public RegistryApi(BlobStore blobs, Store store, TokenAuth auth) {
        this.blobs = blobs;
        this.store = store;
        this.auth = auth;
    }

    public void register(RoutesConfig routes) {
        routes.before("/v2/*", this::authenticate);
        routes.before("/v2", this::authenticate);
        routes.get("/v2", ctx -> ctx.header("Docker-Distribution-API-Version", "registry/2.0").json(Map.of()));
        routes.post("/v2/{name}/blobs/uploads", this::upload);
        routes.head("/v2/{name}/blobs/{digest}", ctx -> serve(ctx, false));
        routes.get("/v2/{name}/blobs/{digest}", ctx -> serve(ctx, true));
    }

    private void authenticate(Context ctx) {
        try {
            auth.authenticate(ctx.header("Authorization"));
        } catch (ApiException e) {
            ctx.header("WWW-Authenticate", "Basic realm=\"outpost\"");
            throw new RegistryError(401, "UNAUTHORIZED", e.getMessage());
        }
    }

    private void upload(Context ctx) throws IOException {
        requireRepository(ctx.pathParam("name"));
        String digest = ctx.queryParam("digest");
        if (digest == null) {
            throw new RegistryError(400, "UNSUPPORTED", "only monolithic uploads are supported so far: POST the whole blob with ?digest=sha256:<hex>");
        }
        if (!BlobStore.isDigest(digest)) {
            throw new RegistryError(400, "DIGEST_INVALID", "\"" + digest + "\" is not a sha256 digest (sha256:<64 hex digits>)");
        }
        try (InputStream in = ctx.bodyInputStream()) {
            blobs.put(digest, in);
        } catch (BlobStore.DigestMismatchException e) {
            throw new RegistryError(400, "DIGEST_INVALID", e.getMessage());
        }
        String location = "/v2/" + ctx.pathParam("name") + "/blobs/" + digest;
        ctx.status(201).header("Location", location).header("Docker-Content-Digest", digest);
    }

    private void serve(Context ctx, boolean body) throws IOException {
        requireRepository(ctx.pathParam("name"));
        String digest = ctx.pathParam("digest");
        if (!BlobStore.isDigest(digest)) {
            throw new RegistryError(400, "DIGEST_INVALID", "\"" + digest + "\" is not a sha256 digest (sha256:<64 hex digits>)");
        }
        Path path = blobs.find(digest).orElseThrow(() -> new RegistryError(404, "BLOB_UNKNOWN", "blob " + digest + " is not in the registry"));
        ctx.header("Docker-Content-Digest", digest).header("Content-Length", Long.toString(Files.size(path)))
                .contentType("application/octet-stream");
        if (body) {
            ctx.result(Files.newInputStream(path));
        }
    }

    private void requireRepository(String name) {
        if (store.findApp(name).isEmpty()) {
            throw new RegistryError(404, "NAME_UNKNOWN", "repository " + name + " is not an app here (create it with outpost launch)");
        }
    }

    /** An OCI registry error; rendered by {@link #render}. */
    public static final class RegistryError extends RuntimeException {
        final int status;
        final String code;

        public RegistryError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    public static void render(RegistryError e, Context ctx) {
        ctx.status(e.status).contentType("application/json");
        try {
            ctx.result(Json.mapper().writeValueAsBytes(Map.of("errors", List.of(Map.of("code", e.code, "message", e.getMessage())))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            ctx.result(e.getMessage());
        }
    }
}
