package dev.outpost.lab.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's control endpoint: HTTP on 127.0.0.1 (a free port), every request with the dev admin
 * token as a bearer token.
 *
 * <pre>
 * GET  /parts                       {"parts": [{"part": "agent iad", "kind": "agent", "region": "iad", "running": true}, …]}
 * POST /parts/server/stop|start     the part's entry; 404 unknown part, 409 already stopped/running,
 * POST /parts/KIND/REGION/stop|start                   500 it could not start (with why)
 * </pre>
 *
 * Its address goes to {@code lab-control.json} (mode 0600) in the CLI's config directory, removed on close.
 */
public final class LabControl implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LabControl.class);
    public static final String FILE_NAME = "lab-control.json";

    private final List<DevPart> parts;
    private final byte[] token;
    private final HttpServer http;
    private Path file;

    private LabControl(List<DevPart> parts, String token, HttpServer http) {
        this.parts = List.copyOf(parts);
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.http = http;
    }

    /** Serves {@code parts} on 127.0.0.1, any free port. */
    public static LabControl start(List<DevPart> parts, String token) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        LabControl control = new LabControl(parts, token, http);
        http.createContext("/", control::handle);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        return control;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** Writes {@code dir/lab-control.json} ({@code {"url": …}}, mode 0600), replacing it atomically. */
    public Path writeFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(FILE_NAME);
        Path tmp = Files.createTempFile(dir, ".lab-control", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            ObjectNode json = Json.mapper().createObjectNode();
            json.put("url", url().toString());
            json.put("pid", ProcessHandle.current().pid());
            Files.writeString(tmp, Json.mapper().writeValueAsString(json) + "\n");
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        file = target;
        return target;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            if (!auth.startsWith("Bearer ") || !MessageDigest.isEqual(token, auth.substring(7).getBytes(StandardCharsets.UTF_8))) {
                answer(ex, 401, error("the lab control needs the dev admin token (the CLI context's) as a bearer token"));
                return;
            }
            String[] path = ex.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
            if (path.length == 1 && path[0].equals("parts") && ex.getRequestMethod().equals("GET")) {
                ObjectNode body = Json.mapper().createObjectNode();
                ArrayNode list = body.putArray("parts");
                parts.forEach(p -> list.add(entry(p)));
                answer(ex, 200, body);
                return;
            }
            if (path.length < 3 || path.length > 4 || !path[0].equals("parts") || !ex.getRequestMethod().equals("POST")) {
                answer(ex, 404, error("no lab control endpoint " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath()));
                return;
            }
            String kind = path[1];
            String region = path.length == 4 ? path[2] : null;
            String action = path[path.length - 1];
            Optional<DevPart> part = parts.stream().filter(p -> p.kind().equals(kind) && java.util.Objects.equals(p.region(), region)).findFirst();
            if (part.isEmpty()) {
                answer(ex, 404, error("no part " + (region == null ? kind : kind + " " + region) + " in this outpost dev (parts: "
                        + String.join(", ", parts.stream().map(DevPart::name).toList()) + ")"));
                return;
            }
            act(ex, part.get(), action);
        } catch (RuntimeException e) {
            log.error("lab control request {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            answer(ex, 500, error("the lab control failed: " + e));
        }
    }

    private void act(HttpExchange ex, DevPart part, String action) throws IOException {
        try {
            switch (action) {
                case "stop" -> part.stop();
                case "start" -> part.start();
                default -> {
                    answer(ex, 404, error("no action " + action + " on " + part.name() + " (stop or start)"));
                    return;
                }
            }
        } catch (IllegalStateException e) {
            answer(ex, 409, error(e.getMessage()));
            return;
        } catch (Exception e) {
            log.warn("lab: cannot {} {}: {}", action, part.name(), e.toString());
            answer(ex, 500, error("cannot " + action + " " + part.name() + ": " + e.getMessage()));
            return;
        }
        log.info("lab: {} {}", part.name(), action.equals("stop") ? "stopped" : "started");
        answer(ex, 200, entry(part));
    }

    private static ObjectNode entry(DevPart p) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("part", p.name());
        n.put("kind", p.kind());
        n.put("region", p.region());
        n.put("running", p.running());
        return n;
    }

    private static ObjectNode error(String message) {
        return Json.mapper().createObjectNode().put("error", message);
    }

    private static void answer(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving and removes the file it wrote. */
    @Override
    public void close() {
        http.stop(0);
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", file, e.toString());
            }
        }
    }
}
