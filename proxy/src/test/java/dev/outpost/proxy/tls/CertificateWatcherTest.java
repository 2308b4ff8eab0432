package dev.outpost.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.core.Json;
import dev.outpost.core.api.EdgeCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watcher against a small real HTTP server standing in for {@code /v1/certs/pem}. */
class CertificateWatcherTest {
    private final AtomicLong index = new AtomicLong(3);
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/certs/pem", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            long asked = Long.parseLong(exchange.getRequestURI().getQuery().replaceAll(".*index=(\\d+).*", "$1"));
            long now = index.get();
            if (asked == now) {
                // A blocking query with nothing new: answer when the index moves, or at the end of
                // a short wait, as the server does.
                long deadline = System.nanoTime() + 50_000_000L;
                synchronized (index) {
                    try {
                        for (long left = 50; index.get() == asked && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                            index.wait(left);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            byte[] body = Json.mapper().writeValueAsBytes(new EdgeCertificates(index.get(),
                    List.of(new EdgeCertificates.Entry("app.example.com", "chain-" + index.get(), "key"))));
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void deliversTheFirstAnswerAndEachChangeWithTheToken() {
        List<EdgeCertificates> seen = new CopyOnWriteArrayList<>();
        URI api = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (CertificateWatcher watcher = new CertificateWatcher(api, "t0ken", seen::add)) {
            watcher.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
            synchronized (index) {
            index.set(4);
            index.notifyAll();
        }
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        }
        assertThat(seen).extracting(EdgeCertificates::index).containsExactly(3L, 4L);
        assertThat(seen.get(1).certificates().get(0).chain()).isEqualTo("chain-4");
        assertThat(authorizations).allMatch("Bearer t0ken"::equals);
    }

    @Test
    void refusesAnAddressThatIsNotHttp() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CertificateWatcher(URI.create("ftp://x"), "t", c -> {}))
                .hasMessageContaining("http(s) API address");
    }
}
