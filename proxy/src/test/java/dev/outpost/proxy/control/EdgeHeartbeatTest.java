package dev.outpost.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeInfo;
import dev.outpost.core.api.EdgeList;
import dev.outpost.core.api.EdgeRegistration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat against a stand-in for {@code /v1/edges} on a real socket (the real API is tested in
 * the server module): it registers, learns a new peer from the blocking list at once, reports what
 * it measured to it, and removes itself when closed.
 */
class EdgeHeartbeatTest {
    private static final String TOKEN = "t0k3n";
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    private FakeEdgesApi api;

    @BeforeEach
    void start() throws IOException {
        api = new FakeEdgesApi();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        api.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        closing.add(c);
        return c;
    }

    @Test
    void registersLearnsANewPeerAtOnceReportsItsRttAndLeavesWhenClosed() throws Exception {
        ProbeListener sydProbe = closing(ProbeListener.bind("127.0.0.1", 0));
        ProbeListener amsProbe = closing(ProbeListener.bind("127.0.0.1", 0, Duration.ofMillis(20)));
        PeerProber prober = closing(new PeerProber("syd", new HttpProbe(Duration.ofSeconds(1)), Duration.ofMillis(100), () -> {}));
        prober.start();
        // A long heartbeat: the peer must be learned from the blocking list, not from the next PUT's round.
        EdgeHeartbeat heartbeat = closing(new EdgeHeartbeat(api.url(), TOKEN, "syd-edge", "syd", sydProbe.hostPort(), prober,
                Duration.ofSeconds(3)));
        heartbeat.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> api.edges.containsKey("syd-edge"));
        assertThat(api.edges.get("syd-edge").probeAddress()).isEqualTo(sydProbe.hostPort());
        assertThat(api.authorizations).containsOnly("Bearer " + TOKEN);

        api.put(new EdgeInfo("ams-edge", "ams", amsProbe.hostPort(), Map.of(), Instant.now()));
        await().atMost(Duration.ofSeconds(2)).until(() -> prober.rtt().snapshot().containsKey("ams"));
        assertThat(prober.rtt().snapshot().get("ams").millis()).isGreaterThanOrEqualTo(20);

        await().atMost(Duration.ofSeconds(8)).until(() -> api.edges.get("syd-edge").rtt().containsKey("ams"));
        assertThat(api.edges.get("syd-edge").rtt().get("ams").reachable()).isTrue();

        heartbeat.close();
        assertThat(api.edges).doesNotContainKey("syd-edge").containsKey("ams-edge");
        heartbeat.close();
        assertThat(Thread.currentThread().isInterrupted()).as("a second close is a no-op").isFalse();
    }

    @Test
    void keepsTryingWhenTheServerRefusesAndRegistersOnceItAccepts() throws Exception {
        PeerProber prober = closing(new PeerProber("syd", new HttpProbe(Duration.ofSeconds(1)), Duration.ofMillis(100), () -> {}));
        api.refuse = true;
        EdgeHeartbeat heartbeat = closing(new EdgeHeartbeat(api.url(), TOKEN, "syd-edge", "syd", "127.0.0.1:9", prober,
                Duration.ofMillis(200)));
        heartbeat.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> api.refused >= 2);
        assertThat(api.edges).isEmpty();
        api.refuse = false;
        await().atMost(Duration.ofSeconds(5)).until(() -> api.edges.containsKey("syd-edge"));
    }

    /** {@code PUT/GET/DELETE /v1/edges}: an in-memory list whose index moves when an edge joins, moves or leaves. */
    private static final class FakeEdgesApi implements AutoCloseable {
        final Map<String, EdgeInfo> edges = new ConcurrentSkipListMap<>();
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        volatile boolean refuse;
        volatile int refused;
        private final HttpServer server;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private long index = 1;

        FakeEdgesApi() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/v1/edges", this::handle);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        synchronized void put(EdgeInfo edge) {
            EdgeInfo old = edges.put(edge.id(), edge);
            if (old == null || !old.probeAddress().equals(edge.probeAddress())) {
                index++;
                notifyAll();
            }
        }

        private synchronized boolean delete(String id) {
            boolean gone = edges.remove(id) != null;
            if (gone) {
                index++;
                notifyAll();
            }
            return gone;
        }

        private synchronized EdgeList await(long after, Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            for (long left = wait.toNanos(); index <= after && left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return new EdgeList(index, List.copyOf(edges.values()));
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod();
                if (refuse) {
                    refused++;
                    send(ex, 503, Map.of("detail", "restarting"));
                } else if (method.equals("PUT")) {
                    String id = path.substring("/v1/edges/".length());
                    EdgeRegistration reg = Json.mapper().readValue(ex.getRequestBody(), EdgeRegistration.class);
                    EdgeInfo edge = new EdgeInfo(id, reg.region(), reg.probeAddress(), reg.rtt(), Instant.now());
                    put(edge);
                    send(ex, 200, edge);
                } else if (method.equals("DELETE")) {
                    ex.sendResponseHeaders(delete(path.substring("/v1/edges/".length())) ? 204 : 404, -1);
                } else {
                    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                    send(ex, 200, await(Long.parseLong(q.getOrDefault("index", "0")), Durations.parse(q.getOrDefault("wait", "0ms"))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static Map<String, String> query(String raw) {
            Map<String, String> q = new java.util.HashMap<>();
            if (raw != null) {
                for (String kv : raw.split("&")) {
                    String[] p = kv.split("=", 2);
                    q.put(p[0], p.length > 1 ? p[1] : "");
                }
            }
            return q;
        }

        private static void send(HttpExchange ex, int status, Object body) throws IOException {
            byte[] bytes = Json.mapper().writeValueAsBytes(body);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
