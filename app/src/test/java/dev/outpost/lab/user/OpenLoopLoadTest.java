package dev.outpost.lab.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenLoopLoadTest {
    private HttpServer server;
    private ExecutorService executor;

    @BeforeAll
    static void allowHost() {
        OpenLoopLoad.allowHostHeader();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.close();
        }
    }

    @Test
    void sendsRateTimesDurationRequestsWithTheUrlsHostAndCountsTheirStatuses() throws Exception {
        AtomicReference<String> host = new AtomicReference<>();
        InetSocketAddress address = serve(Executors.newVirtualThreadPerTaskExecutor(), Duration.ofMillis(30), host);
        OpenLoopLoad load = new OpenLoopLoad(URI.create("http://hello.outpost.localhost:8080/x?y=1"), address, 50, Duration.ofSeconds(1), 64,
                Duration.ofSeconds(5));

        LoadReport report = load.run("iad");

        assertThat(report.requests()).isEqualTo(50);
        assertThat(report.statuses()).containsExactlyEntriesOf(java.util.Map.of("204", 50L));
        assertThat(report.errors()).isEmpty();
        assertThat(host.get()).isEqualTo("hello.outpost.localhost:8080");
        assertThat(report.latencyMs().p50()).isGreaterThanOrEqualTo(30);
        assertThat(report.latencyMs().max()).isGreaterThanOrEqualTo(report.latencyMs().p99());
    }

    @Test
    void aServerSlowerThanTheRateShowsItsQueueInTheLatencyNotJustItsServiceTime() throws Exception {
        // One request at a time, 100 ms each, asked for 20 a second: a closed loop would report 100 ms.
        InetSocketAddress address = serve(Executors.newSingleThreadExecutor(), Duration.ofMillis(100), new AtomicReference<>());
        OpenLoopLoad load = new OpenLoopLoad(URI.create("http://slow.outpost.localhost/"), address, 20, Duration.ofSeconds(1), 1,
                Duration.ofSeconds(10));

        LoadReport report = load.run("iad");

        assertThat(report.statuses()).containsEntry("204", 20L);
        // The last request was due at 0.95 s and answered after all 20 × 100 ms: about a second late.
        assertThat(report.latencyMs().max()).isGreaterThanOrEqualTo(800);
        assertThat(report.latencyMs().p50()).isGreaterThan(100);
    }

    @Test
    void refusesWhatItCannotSend() {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        assertThatThrownBy(() -> new OpenLoopLoad(URI.create("https://a/"), any, 1, Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                .hasMessageContaining("http://").hasMessageContaining("lab curl");
        assertThatThrownBy(() -> new OpenLoopLoad(URI.create("http://a/"), any, 0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                .hasMessageContaining("--rate");
    }

    private InetSocketAddress serve(ExecutorService handlers, Duration serviceTime, AtomicReference<String> host) throws Exception {
        executor = handlers;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            host.set(exchange.getRequestHeaders().getFirst("Host"));
            // Stands for the work of a slow handler: the test measures how the load reports it.
            LockSupport.parkNanos(serviceTime.toNanos());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress();
    }
}
