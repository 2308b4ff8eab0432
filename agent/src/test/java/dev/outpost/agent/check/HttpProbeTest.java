package dev.outpost.agent.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.testing.TestHttpServer;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpProbeTest {
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final TestHttpServer server = new TestHttpServer();

    @AfterEach
    void close() {
        server.close();
        http.close();
    }

    private HttpProbe probe(String method, int port, Duration timeout) {
        return new HttpProbe(http, method, "127.0.0.1", port, "/healthz", Duration.ofSeconds(1), timeout, Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 301, 302})
    void passesOn2xxAnd3xx(int status) throws Exception {
        server.status(status);

        ProbeResult r = probe("GET", server.port(), Duration.ofSeconds(2)).run();

        assertThat(r.passing()).isTrue();
        assertThat(r.detail()).isEqualTo("GET /healthz → " + status);
        assertThat(server.requests()).singleElement().satisfies(req -> {
            assertThat(req.method()).isEqualTo("GET");
            assertThat(req.path()).isEqualTo("/healthz");
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 500, 503})
    void failsOnOtherStatusesNamingTheCheck(int status) throws Exception {
        server.status(status);

        ProbeResult r = probe("GET", server.port(), Duration.ofSeconds(2)).run();

        assertThat(r.passing()).isFalse();
        assertThat(r.detail()).isEqualTo("GET /healthz → " + status);
    }

    @Test
    void usesHeadWhenAsked() throws Exception {
        ProbeResult r = probe("head", server.port(), Duration.ofSeconds(2)).run();

        assertThat(r.passing()).isTrue();
        assertThat(server.requests().getFirst().method()).isEqualTo("HEAD");
    }

    @Test
    void failsWhenNoAnswerArrivesWithinTheTimeout() throws Exception {
        server.hang();

        ProbeResult r = probe("GET", server.port(), Duration.ofMillis(200)).run();

        assertThat(r.passing()).isFalse();
        assertThat(r.detail()).isEqualTo("GET /healthz → no answer within 200ms");
    }

    @Test
    void failsWhenTheConnectionIsRefused() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        ProbeResult r = probe("GET", closedPort, Duration.ofSeconds(2)).run();

        assertThat(r.passing()).isFalse();
        assertThat(r.detail()).isEqualTo("GET /healthz → connect refused");
    }
}
