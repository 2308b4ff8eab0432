package dev.outpost.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only registry (the pull half of the OCI Distribution API) serving one OCI image layout, as
 * {@code skopeo copy … oci:DIR} writes it, on 127.0.0.1 (which the Docker Engine treats as an insecure
 * registry). Every call needs HTTP Basic with the given password, as the Outpost registry does; it
 * records each request's method, path and {@code Authorization} header.
 *
 * <p>The Engine tries HTTPS before plain HTTP even for insecure registries; the JDK's HTTP server would
 * sit on a TLS hello until the Engine's 10 s handshake timeout, so a small front closes TLS connections
 * at once and pipes the others to it.
 */
public final class OciLayoutRegistry implements AutoCloseable {
    /** One request as received. */
    public record Request(String method, String path, String authorization) {}

    private static final Pattern MANIFEST = Pattern.compile("/v2/[a-z0-9/._-]+/manifests/(sha256:[0-9a-f]{64})");
    private static final Pattern BLOB = Pattern.compile("/v2/[a-z0-9/._-]+/blobs/(sha256:[0-9a-f]{64})");

    private final Path layout;
    private final String expectedAuth;
    private final HttpServer server;
    private final ServerSocket front;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    public OciLayoutRegistry(Path layout, String password) throws IOException {
        this.layout = layout;
        this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString(("outpost:" + password).getBytes(StandardCharsets.UTF_8));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        front = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("oci-registry-front").start(this::acceptLoop);
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + front.getLocalPort();
    }

    /** The digest of the layout's (first) manifest. */
    public String manifestDigest() throws IOException {
        JsonNode index = Json.mapper().readTree(layout.resolve("index.json").toFile());
        return index.get("manifests").get(0).get("digest").asText();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() throws IOException {
        front.close();
        server.stop(0);
    }

    private void acceptLoop() {
        while (!front.isClosed()) {
            try {
                Socket client = front.accept();
                Thread.ofVirtual().start(() -> pipe(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pipe(Socket client) {
        try (client) {
            int first = client.getInputStream().read();
            if (first < 0 || first == 0x16) {
                return; // a TLS ClientHello: refuse, so the Engine falls back to HTTP at once
            }
            try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
                backend.getOutputStream().write(first);
                Thread up = Thread.ofVirtual().start(() -> copy(client, backend));
                copy(backend, client);
                up.join();
            }
        } catch (IOException | InterruptedException e) {
            // the Engine hung up; nothing to clean but the sockets, closed above
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed: the other copy ends too
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(ex.getRequestMethod(), path, auth));
            ex.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
            if (!expectedAuth.equals(auth)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"outpost\"");
                send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"wrong token\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/v2/")) {
                send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Matcher m = MANIFEST.matcher(path);
            Matcher b = BLOB.matcher(path);
            if (m.matches() || b.matches()) {
                String digest = m.matches() ? m.group(1) : b.group(1);
                Path file = layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
                if (Files.isRegularFile(file)) {
                    byte[] bytes = Files.readAllBytes(file);
                    String type = m.matches() ? Json.mapper().readTree(bytes).get("mediaType").asText() : "application/octet-stream";
                    ex.getResponseHeaders().set("Docker-Content-Digest", digest);
                    send(ex, 200, type, bytes);
                    return;
                }
            }
            send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
