package dev.outpost.server;

import dev.outpost.core.Json;
import dev.outpost.server.auth.AdminToken;
import dev.outpost.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A real server on 127.0.0.1 port 0 over a SQLite store in a temporary directory. */
public final class ServerFixture implements AutoCloseable {
    public final Store store;
    public final OutpostServer server;
    public final String token;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ServerFixture(Path dir) throws IOException {
        store = Store.open(dir.resolve("outpost.db").toString());
        token = AdminToken.ensure(store, dir);
        server = new OutpostServer(new ServerConfig("127.0.0.1", 0, dir, List.of("iad", "ams", "syd")), store, Clock.systemUTC());
        server.start();
    }

    public HttpResponse<String> call(String method, String path, Object body, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(60));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : body instanceof String s ? HttpRequest.BodyPublishers.ofString(s)
                : HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> call(String method, String path, Object body) throws IOException, InterruptedException {
        return call(method, path, body, token);
    }

    @Override
    public void close() {
        server.close();
        store.close();
        http.close();
    }
}
