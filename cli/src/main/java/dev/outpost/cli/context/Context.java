package dev.outpost.cli.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.core.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The Outpost API the CLI talks to and the token it presents. Stored as {@code context.json}
 * ({@code {"api": URL, "token": T, "edge": "host:port"}}, mode 0600) in {@code $OUTPOST_CONFIG_DIR}, else
 * {@code $XDG_CONFIG_HOME/outpost}, else {@code ~/.config/outpost}; {@code OUTPOST_API} and
 * {@code OUTPOST_TOKEN} override what the file says.
 *
 * @param edge the HTTP address of the edge {@code outpost dev} runs next to that API (its first region's),
 *             for the commands' hints; null when the file names none, or when {@code OUTPOST_API}
 *             points the CLI at another server than the file's
 */
public record Context(URI api, String token, String edge) {
    public static final String FILE_NAME = "context.json";
    static final String MISSING = "no Outpost context: run `outpost dev`, or set OUTPOST_API and OUTPOST_TOKEN";

    public Context {
        if (api == null || token == null || token.isBlank()) {
            throw new IllegalArgumentException("a context needs an API URL and a token");
        }
    }

    /** A context that knows no edge. */
    public Context(URI api, String token) {
        this(api, token, null);
    }

    /** The context for this process: its environment and the user's home directory. */
    public static Context load() throws ContextException {
        return load(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The context as {@code env} and the config directory under {@code home} define it. */
    public static Context load(Map<String, String> env, Path home) throws ContextException {
        Path file = directory(env, home).resolve(FILE_NAME);
        String api = null;
        String token = null;
        String edge = null;
        if (Files.isRegularFile(file)) {
            JsonNode stored = read(file);
            api = text(stored, "api");
            token = text(stored, "token");
            edge = text(stored, "edge");
        }
        String fileApi = api;
        api = nonBlank(env.get("OUTPOST_API"), api);
        if (api != null && !api.equals(fileApi)) {
            // The file's edge runs beside the file's API, not beside the server OUTPOST_API names.
            edge = null;
        }
        token = nonBlank(env.get("OUTPOST_TOKEN"), token);
        if (api == null || token == null) {
            throw new ContextException(MISSING);
        }
        URI uri;
        try {
            uri = URI.create(api.endsWith("/") ? api.substring(0, api.length() - 1) : api);
        } catch (IllegalArgumentException e) {
            throw new ContextException("the Outpost API URL \"" + api + "\" is not a URL (from "
                    + (env.containsKey("OUTPOST_API") ? "OUTPOST_API" : file) + ")", e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new ContextException("the Outpost API URL \"" + api + "\" must start with http:// or https://");
        }
        return new Context(uri, token, edge);
    }

    /** The config directory: {@code $OUTPOST_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/outpost}, else {@code ~/.config/outpost}. */
    public static Path directory(Map<String, String> env, Path home) {
        String own = nonBlank(env.get("OUTPOST_CONFIG_DIR"), null);
        if (own != null) {
            return Path.of(own);
        }
        String xdg = nonBlank(env.get("XDG_CONFIG_HOME"), null);
        if (xdg != null) {
            return Path.of(xdg, "outpost");
        }
        return home.resolve(".config").resolve("outpost");
    }

    /** The config directory of this process. */
    public static Path directory() {
        return directory(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Writes {@code dir/context.json} readable only by its owner (0600), creating {@code dir} (0700)
     * when missing. The file is replaced atomically so a concurrent reader never sees half of it.
     */
    public static Path write(Path dir, URI api, String token) throws ContextException {
        return write(dir, api, token, null);
    }

    /** As {@link #write(Path, URI, String)}, with the HTTP address ({@code host:port}) of the edge beside that API; null for none. */
    public static Path write(Path dir, URI api, String token, String edge) throws ContextException {
        Context context = new Context(api, token, edge);
        Path file = dir.resolve(FILE_NAME);
        try {
            createPrivateDirectories(dir);
            ObjectNode json = Json.mapper().createObjectNode();
            json.put("api", context.api().toString());
            json.put("token", context.token());
            if (context.edge() != null) {
                json.put("edge", context.edge());
            }
            Path tmp = Files.createTempFile(dir, ".context", ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new ContextException("cannot write the Outpost context " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
            // another process created it between our check and now: fine, it is a directory or the write fails later
        }
    }

    private static JsonNode read(Path file) throws ContextException {
        try {
            JsonNode node = Json.mapper().readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new ContextException("the Outpost context " + file + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ContextException("cannot read the Outpost context " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isTextual() ? null : nonBlank(v.asText(), null);
    }

    private static String nonBlank(String value, String otherwise) {
        return value == null || value.isBlank() ? otherwise : value.trim();
    }
}
