package dev.outpost.cli.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Json;
import dev.outpost.core.api.AppStatus;
import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.api.CreateReleaseRequest;
import dev.outpost.core.api.Problem;
import dev.outpost.core.api.RegionInfo;
import dev.outpost.core.api.ScaleRequest;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the Outpost server, on a real socket on 127.0.0.1: the endpoints the CLI uses,
 * with in-memory apps, releases and blobs. A new release deploys over two status calls (first its
 * instances start, then it turns {@link #outcome}), so a deploy's progress can be watched. Every
 * request is recorded.
 */
public final class FakeOutpostApi implements AutoCloseable {
    public static final String TOKEN = "test-token";
    private static final Pattern APP = Pattern.compile("/v1/apps/([^/]+)");
    private static final Pattern APP_PART = Pattern.compile("/v1/apps/([^/]+)/(status|releases|scale|instances|ips)");
    private static final Pattern RELEASE = Pattern.compile("/v1/apps/([^/]+)/releases/(\\d+)");
    private static final Pattern BLOB = Pattern.compile("/v2/([^/]+)/blobs/(sha256:[0-9a-f]{64})");
    private static final Pattern UPLOAD = Pattern.compile("/v2/([^/]+)/blobs/uploads/?");

    /** A request as the fake saw it. */
    public record Seen(String method, String path, String query, String authorization, byte[] body) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final ObjectMapper json = Json.mapper();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Map<String, List<Release>> releases = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final FakeRegistry registry = new FakeRegistry(blobs);
    private final Map<String, Integer> progress = new ConcurrentHashMap<>();
    private final AtomicLong index = new AtomicLong(1);
    private final FakeReleaseChanges changes = new FakeReleaseChanges(apps, releases, index);
    private volatile List<String> regions = List.of("iad", "ams", "syd");
    private volatile ReleaseStatus outcome = ReleaseStatus.ACTIVE;
    private volatile DeployFailure failure;
    private final java.util.concurrent.atomic.AtomicInteger statusFailures = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, dev.outpost.core.api.AppAddresses> addresses = new ConcurrentHashMap<>();

    static {
        // docker push tries TLS first, even to a plain-HTTP registry on loopback; the JDK server waits
        // for a request line that never comes, and docker falls back to HTTP only after its 10 s
        // handshake timeout. With a 1 s limit on reading a request, the server closes such connections
        // at once. Read when the first JDK HttpServer is made; every one in these tests is made here.
        System.setProperty("sun.net.httpserver.maxReqTime", "1");
    }

    public FakeOutpostApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** Requests with this method whose path starts with {@code prefix}. */
    public List<Seen> requests(String method, String prefix) {
        return seen.stream().filter(s -> s.method().equals(method) && s.path().startsWith(prefix)).toList();
    }

    public App addApp(String name, String primary, Map<String, Integer> scale) {
        App app = new App(name, primary, scale, null, Instant.parse("2025-01-02T03:04:05Z"));
        apps.put(name, app);
        releases.putIfAbsent(name, new CopyOnWriteArrayList<>());
        return app;
    }

    public App app(String name) {
        return apps.get(name);
    }

    public void addBlob(String digest, byte[] bytes) {
        blobs.put(digest, bytes);
    }

    /** The manifest digest {@code docker push} stored as {@code app:tag}, or null. */
    public String manifest(String app, String tag) {
        return registry.manifest(app, tag);
    }

    /** The secrets set on {@code app}, name → value, as the fake keeps them. */
    public Map<String, String> secrets(String app) {
        return changes.secrets(app);
    }

    public byte[] blob(String digest) {
        return blobs.get(digest);
    }

    public List<Release> releases(String app) {
        return List.copyOf(releases.getOrDefault(app, List.of()));
    }

    /** How new releases end: {@code ACTIVE}, or {@code FAILED} with {@code why}. */
    public void deploysEndAs(ReleaseStatus status, DeployFailure why) {
        this.outcome = status;
        this.failure = why;
    }

    /** What {@code GET /v1/apps/{app}/ips} answers for {@code app} (by default: no dedicated address). */
    public void addresses(String app, dev.outpost.core.api.AppAddresses answer) {
        addresses.put(app, answer);
    }

    /** The next {@code n} status calls answer 503, as a server restarting would. */
    public void failStatusCalls(int n) {
        statusFailures.set(n);
    }

    /** An endpoint a test adds (e.g. {@code FakeLogs}); it answers and returns true, or returns false to pass. */
    public interface Endpoint {
        boolean handle(HttpExchange ex, String method, String path, String query) throws IOException;
    }

    /** Adds {@code endpoint}, tried before the built-in routes. */
    public void add(Endpoint endpoint) {
        endpoints.add(endpoint);
    }

    public void regions(List<String> codes) {
        this.regions = List.copyOf(codes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getRawQuery();
            seen.add(new Seen(method, path, query, ex.getRequestHeaders().getFirst("Authorization"), body));
            if (!authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
                // registry clients (docker push) answer a Basic challenge with the token as password
                ex.getResponseHeaders().add("WWW-Authenticate", path.startsWith("/v2") ? "Basic realm=\"outpost\"" : "Bearer");
                problem(ex, 401, "missing or wrong token");
                return;
            }
            route(ex, method, path, query, body);
        } catch (RuntimeException e) {
            problem(ex, 500, e.toString());
        }
    }

    private void route(HttpExchange ex, String method, String path, String query, byte[] body) throws IOException {
        Matcher m;
        for (Endpoint e : endpoints) {
            if (e.handle(ex, method, path, query)) {
                return;
            }
        }
        if (path.equals("/v1/regions") && method.equals("GET")) {
            send(ex, 200, regions.stream().map(r -> new RegionInfo(r, r.toUpperCase(), List.of())).toList());
        } else if (path.equals("/v1/apps") && method.equals("GET")) {
            send(ex, 200, apps.values().stream().sorted(Comparator.comparing(App::name)).toList());
        } else if (path.equals("/v1/apps") && method.equals("POST")) {
            CreateAppRequest req = json.readValue(body, CreateAppRequest.class);
            if (apps.containsKey(req.name())) {
                problem(ex, 409, "app " + req.name() + " already exists");
            } else {
                send(ex, 201, addApp(req.name(), req.primaryRegion(), Map.of()));
            }
        } else if ((m = RELEASE.matcher(path)).matches() && method.equals("GET")) {
            int version = Integer.parseInt(m.group(2));
            Release r = releases.getOrDefault(m.group(1), List.of()).stream().filter(x -> x.version() == version).findFirst().orElse(null);
            if (r == null) {
                problem(ex, 404, "release v" + version + " of " + m.group(1) + " not found");
            } else {
                send(ex, 200, r);
            }
        } else if ((m = FakeReleaseChanges.PATH.matcher(path)).matches()) {
            changes.handle(ex, method, m.group(1), m.group(2), body);
        } else if ((m = APP_PART.matcher(path)).matches()) {
            App app = apps.get(m.group(1));
            if (app == null) {
                problem(ex, 404, "app " + m.group(1) + " not found");
                return;
            }
            switch (m.group(2) + " " + method) {
                case "status GET" -> {
                    if (statusFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        problem(ex, 503, "the server is restarting");
                    } else {
                        send(ex, 200, status(app.name()));
                    }
                }
                case "releases GET" -> send(ex, 200, releases(app.name()).stream()
                        .sorted(Comparator.comparingInt(Release::version).reversed()).toList());
                case "releases POST" -> createRelease(ex, app, json.readValue(body, CreateReleaseRequest.class));
                case "scale PUT" -> {
                    Map<String, Integer> scale = new LinkedHashMap<>(app.scale());
                    scale.putAll(json.readValue(body, ScaleRequest.class).regions());
                    App scaled = new App(app.name(), app.primaryRegion(), scale, app.currentRelease(), app.createdAt());
                    apps.put(app.name(), scaled);
                    index.incrementAndGet();
                    send(ex, 200, scaled);
                }
                case "instances GET" -> send(ex, 200, status(app.name()).instances());
                case "ips GET" -> send(ex, 200, addresses.getOrDefault(app.name(),
                        new dev.outpost.core.api.AppAddresses(app.name(), 0, List.of())));
                default -> problem(ex, 405, method + " " + path + " is not allowed");
            }
        } else if ((m = APP.matcher(path)).matches()) {
            App app = apps.get(m.group(1));
            if (app == null) {
                problem(ex, 404, "app " + m.group(1) + " not found");
            } else if (method.equals("GET")) {
                send(ex, 200, app);
            } else if (method.equals("DELETE")) {
                apps.remove(app.name());
                ex.sendResponseHeaders(204, -1);
            } else {
                problem(ex, 405, method + " " + path + " is not allowed");
            }
        } else if ((m = BLOB.matcher(path)).matches() && method.equals("HEAD")) {
            byte[] blob = blobs.get(m.group(2));
            if (blob == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.getResponseHeaders().add("Docker-Content-Digest", m.group(2));
                ex.getResponseHeaders().add("Content-Length", Integer.toString(blob.length));
                ex.sendResponseHeaders(200, -1);
            }
        } else if ((m = UPLOAD.matcher(path)).matches() && method.equals("POST") && query != null && query.startsWith("digest=")) {
            String digest = query == null ? null : java.net.URLDecoder.decode(query.replaceFirst("^digest=", ""), java.nio.charset.StandardCharsets.UTF_8);
            if (digest == null || !digest.equals(sha256(body))) {
                problem(ex, 400, "digest " + digest + " does not match the body's " + sha256(body));
                return;
            }
            blobs.put(digest, body);
            ex.getResponseHeaders().add("Location", "/v2/" + m.group(1) + "/blobs/" + digest);
            ex.getResponseHeaders().add("Docker-Content-Digest", digest);
            ex.sendResponseHeaders(201, -1);
        } else if (path.startsWith("/v2") && registry.route(ex, method, path, query, body)) {
            return;
        } else {
            problem(ex, 404, "no route for " + method + " " + path);
        }
    }

    private void createRelease(HttpExchange ex, App app, CreateReleaseRequest req) throws IOException {
        if (!blobs.containsKey(req.artifactDigest())) {
            problem(ex, 400, "artifact " + req.artifactDigest() + " is not in the registry");
            return;
        }
        List<Release> list = releases.computeIfAbsent(app.name(), a -> new CopyOnWriteArrayList<>());
        Release r = new Release(app.name(), list.size() + 1, req.artifactDigest(), req.config(), ReleaseStatus.DEPLOYING,
                null, null, Instant.parse("2025-01-02T03:04:05Z"), Instant.parse("2025-01-02T03:06:05Z"));
        list.add(r);
        index.incrementAndGet();
        send(ex, 201, r);
    }

    /** The app's status; each call moves a deploying release one step on. */
    private synchronized AppStatus status(String name) {
        App app = apps.get(name);
        List<Release> list = releases.getOrDefault(name, List.of());
        Release deploying = list.stream().filter(r -> r.status() == ReleaseStatus.DEPLOYING).reduce((a, b) -> b).orElse(null);
        int step = 0;
        if (deploying != null) {
            step = progress.merge(name + "/" + deploying.version(), 1, Integer::sum);
            if (step >= 2) {
                Release done = deploying.withStatus(outcome, outcome == ReleaseStatus.FAILED ? "deploy failed" : "deployed",
                        outcome == ReleaseStatus.FAILED ? failure : null);
                list.set(list.indexOf(deploying), done);
                if (outcome == ReleaseStatus.ACTIVE) {
                    app = new App(app.name(), app.primaryRegion(), app.scale(), done.version(), app.createdAt());
                    apps.put(name, app);
                }
                deploying = done;
            }
        }
        Integer currentVersion = app.currentRelease();
        Release current = list.stream().filter(r -> currentVersion != null && r.version() == currentVersion).findFirst().orElse(null);
        if (deploying == null && current != null) {
            // nothing deploying: the serving release's instances are up
            deploying = current;
            step = 2;
        }
        List<Instance> instances = new ArrayList<>();
        if (deploying != null) {
            for (Map.Entry<String, Integer> e : app.scale().entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    boolean ready = step >= 2 && deploying.status() == ReleaseStatus.ACTIVE;
                    boolean failed = step >= 2 && deploying.status() == ReleaseStatus.FAILED;
                    instances.add(new Instance(e.getKey() + "-" + deploying.version() + "-" + i, name, deploying.version(), e.getKey(),
                            "host-" + e.getKey(), "127.0.1." + (i + 1), 20000 + i,
                            failed ? InstanceState.FAILED : ready ? InstanceState.STARTED : InstanceState.STARTING,
                            DesiredState.RUNNING, ready ? Health.PASSING : failed ? Health.FAILING : Health.UNKNOWN,
                            failed ? 3 : null, null, 0, List.of(), Instant.EPOCH, Instant.EPOCH));
                }
            }
        }
        Release stillDeploying = deploying != null && deploying.status() == ReleaseStatus.DEPLOYING ? deploying : null;
        return new AppStatus(index.incrementAndGet(), app, current, stillDeploying, instances);
    }

    private void send(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = json.writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void problem(HttpExchange ex, int status, String detail) throws IOException {
        byte[] bytes = json.writeValueAsBytes(new Problem("about:blank", "error", status, detail));
        ex.getResponseHeaders().add("Content-Type", Problem.MEDIA_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        if (header.equals("Bearer " + TOKEN)) {
            return true;
        }
        if (header.startsWith("Basic ")) {
            String pair = new String(java.util.Base64.getDecoder().decode(header.substring(6).strip()), java.nio.charset.StandardCharsets.UTF_8);
            return pair.endsWith(":" + TOKEN);
        }
        return false;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
