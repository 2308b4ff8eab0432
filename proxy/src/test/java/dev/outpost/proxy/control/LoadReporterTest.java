package dev.outpost.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Json;
import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.LoadReport;
import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.testing.Curl;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.Routes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real edge on loopback reports to a fake {@code POST /v1/load}: after requests sent with curl, the
 * reports add up to exactly those requests, per app, with the remote and unserved ones and the open
 * connections, at most one report per second.
 */
class LoadReporterTest {
    static final String TOKEN = "op_test_token";

    /** The server's {@code POST /v1/load}, recording each report with when it came. */
    static final class FakeLoadServer implements AutoCloseable {
        record Received(long atNanos, String authorization, LoadReport report) {}

        final List<Received> received = new CopyOnWriteArrayList<>();
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final HttpServer server;

        FakeLoadServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/v1/load", this::load);
            server.start();
        }

        URI api() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void load(HttpExchange exchange) throws IOException {
            try (exchange) {
                LoadReport report = Json.mapper().readValue(exchange.getRequestBody(), LoadReport.class);
                received.add(new Received(System.nanoTime(), exchange.getRequestHeaders().getFirst("Authorization"), report));
                exchange.sendResponseHeaders(204, -1);
            }
        }

        double total(String app, ToDoubleFunction<AppLoad> field) {
            return received.stream().flatMap(r -> r.report().apps().stream()).filter(a -> a.app().equals(app))
                    .mapToDouble(field).sum();
        }

        @Override
        public void close() {
            server.stop(0);
            executor.close();
        }
    }

    ProxyFixture f;
    FakeLoadServer server;

    @BeforeEach
    void start() throws IOException {
        f = new ProxyFixture();
        server = f.closing(new FakeLoadServer());
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    @Test
    void reportsAddUpToTheRequestsThatArrivedOncePerSecond() throws Exception {
        Curl.require();
        InstanceServer local = f.instance("api-1", "syd");
        InstanceServer remote = f.instance("web-1", "iad");
        EdgeProxy proxy = f.proxy("syd", Routes.table(1, Routes.app("web", remote.target()), Routes.app("api", local.target()),
                Routes.app("empty")));
        long started = System.nanoTime();
        proxy.reportLoad(server.api(), TOKEN, "syd-edge");
        String base = "http://127.0.0.1:" + proxy.httpAddress().getPort();

        // One curl, one connection, five requests for web (served from iad); then three for api and two for an app with no instance.
        assertThat(curl("web", base, 5)).isEqualTo("200 200 200 200 200 ");
        assertThat(curl("api", base, 3)).isEqualTo("200 200 200 ");
        assertThat(curl("empty", base, 2)).isEqualTo("503 503 ");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(server.total("web", AppLoad::requests)).isEqualTo(5);
            assertThat(server.total("api", AppLoad::requests)).isEqualTo(3);
            assertThat(server.total("empty", AppLoad::requests)).isEqualTo(2);
        });
        assertThat(server.total("web", AppLoad::remotePerSecond)).isGreaterThan(0);
        assertThat(server.total("api", AppLoad::remotePerSecond)).isZero();
        assertThat(server.total("empty", AppLoad::unservedPerSecond)).isGreaterThan(0);
        assertThat(server.total("web", AppLoad::unservedPerSecond)).isZero();
        // Rates are the counts over the report's interval of about a second.
        assertThat(server.received).flatExtracting(r -> r.report().apps()).filteredOn(a -> a.requests() > 0)
                .allSatisfy(a -> assertThat(a.requestsPerSecond()).isBetween(a.requests() / 1.6, a.requests() / 0.8));
        assertThat(server.received).allSatisfy(r -> {
            assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(r.report().region()).isEqualTo("syd");
            assertThat(r.report().edge()).isEqualTo("syd-edge");
        });
        // Once a second, whether or not anything happened.
        int before = server.received.size();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.received.size() >= before + 2);
        double elapsed = (System.nanoTime() - started) / 1e9;
        assertThat(server.received.size()).isLessThanOrEqualTo((int) Math.ceil(elapsed) + 1);
        List<FakeLoadServer.Received> r = server.received;
        for (int i = 1; i < r.size(); i++) {
            assertThat(r.get(i).atNanos() - r.get(i - 1).atNanos()).isGreaterThan(Duration.ofMillis(500).toNanos());
        }
        // The connections closed with curl: no app keeps one open.
        assertThat(r.get(r.size() - 1).report().apps()).allSatisfy(a -> assertThat(a.connections()).isZero());
    }

    /** {@code n} requests for {@code host} over one connection; the status codes curl saw. */
    static String curl(String host, String base, int n) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-s", "-w", "%{http_code} ", "-H", "Host: " + host));
        for (int i = 0; i < n; i++) {
            args.addAll(List.of("-o", "/dev/null", base + "/" + i));
        }
        Curl.Result result = Curl.run("curl", args.toArray(String[]::new));
        assertThat(result.exit()).as(result.err()).isZero();
        return result.out();
    }

    @Test
    void reportsOpenConnectionsAndTheLocalInstancesInFlightLoad() throws Exception {
        InstanceServer local = f.instance("api-1", "syd");
        EdgeProxy proxy = f.proxy("syd", Routes.table(1, Routes.limited("api", 4, 6, "requests", local.target())));
        proxy.reportLoad(server.api(), TOKEN, "syd-edge");
        CompletableFuture<HttpResponse<String>> first = f.getAsync(proxy, "api", "/hold");
        CompletableFuture<HttpResponse<String>> second = f.getAsync(proxy, "api", "/hold");
        await().atMost(Duration.ofSeconds(5)).until(() -> local.held() == 2);
        AppLoad seen = await().atMost(Duration.ofSeconds(5)).until(() -> {
            List<FakeLoadServer.Received> r = server.received;
            return r.isEmpty() ? null : r.get(r.size() - 1).report().apps().stream().filter(a -> a.app().equals("api"))
                    .filter(a -> a.instances().stream().anyMatch(i -> i.inFlight() == 2)).findFirst().orElse(null);
        }, a -> a != null);
        assertThat(seen.connections()).isEqualTo(2);
        assertThat(seen.instances()).singleElement().isEqualTo(new AppLoad.InstanceLoad("api-1", 2, 4, 6));
        local.releaseHeld();
        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(second.get().statusCode()).isEqualTo(200);
    }
}
