package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import dev.outpost.proxy.telemetry.AccessLog;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 4 item 6: the admin listener's Prometheus metrics and the JSON access log. */
class EdgeProxyOperationsTest {
    private final ProxyFixture fx = new ProxyFixture();
    private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private final ListAppender<ILoggingEvent> accessLines = new ListAppender<>();

    @BeforeEach
    void setUp() {
        accessLines.start();
        accessLogger.addAppender(accessLines);
    }

    @AfterEach
    void tearDown() throws Exception {
        accessLogger.detachAppender(accessLines);
        accessLines.stop();
        fx.close();
    }

    private EdgeProxy proxyWithAdmin(InstanceServer... instances) {
        var targets = java.util.Arrays.stream(instances).map(InstanceServer::target).toArray(dev.outpost.core.api.RoutingTable.Target[]::new);
        return fx.proxy(new ProxyConfig("ams", "127.0.0.1", 0).withAdmin("127.0.0.1", 0), table(1, app("hello", targets)));
    }

    private HttpResponse<String> admin(EdgeProxy proxy, String path) throws Exception {
        return fx.client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusMetricsOfTheRequestsItRouted() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        InstanceServer iad = fx.instance("hello-iad", "iad");
        EdgeProxy proxy = proxyWithAdmin(ams, iad);
        fx.get(proxy, "hello", "/");
        fx.get(proxy, "hello", "/");
        fx.get(proxy, "hello", "/", "Outpost-Force-Region", "iad");
        fx.get(proxy, "nope", "/");

        HttpResponse<String> metrics = admin(proxy, "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body())
                .containsPattern("outpost_proxy_requests_total\\{app=\"hello\",edge=\"ams\",region=\"ams\",status=\"200\"} 2\\.0")
                .containsPattern("outpost_proxy_requests_total\\{app=\"hello\",edge=\"ams\",region=\"iad\",status=\"200\"} 1\\.0")
                .containsPattern("outpost_proxy_requests_total\\{app=\"none\",edge=\"ams\",region=\"none\",status=\"404\"} 1\\.0")
                .containsPattern("outpost_proxy_routing_decisions_total\\{app=\"hello\",edge=\"ams\",locality=\"local\"} 2\\.0")
                .containsPattern("outpost_proxy_routing_decisions_total\\{app=\"hello\",edge=\"ams\",locality=\"remote\"} 1\\.0")
                .containsPattern("outpost_proxy_request_duration_seconds_bucket\\{app=\"hello\",edge=\"ams\",le=\"[0-9.]+\"} 3")
                .contains("outpost_proxy_request_duration_seconds_count{app=\"hello\",edge=\"ams\"} 3");
        assertThat(admin(proxy, "/healthz").body()).isEqualTo("ok\n");
        assertThat(admin(proxy, "/other").statusCode()).isEqualTo(404);
    }

    @Test
    void countsUpstreamConnectErrors() throws Exception {
        InstanceServer lax = fx.instance("hello-lax", "lax");
        EdgeProxy proxy = fx.proxy(new ProxyConfig("syd", "127.0.0.1", 0).withAdmin("127.0.0.1", 0),
                table(1, app("hello", dev.outpost.proxy.testing.Routes.dead("hello-syd", "syd"), lax.target())));

        assertThat(fx.get(proxy, "hello", "/").statusCode()).isEqualTo(200);

        assertThat(admin(proxy, "/metrics").body())
                .contains("outpost_proxy_upstream_connect_errors_total{app=\"hello\",edge=\"syd\",region=\"syd\"} 1.0");
    }

    @Test
    void writesOneJsonAccessLogLinePerRequest() throws Exception {
        InstanceServer ams = fx.instance("hello-ams", "ams");
        EdgeProxy proxy = proxyWithAdmin(ams);

        HttpResponse<String> response = fx.get(proxy, "hello", "/some/path?token=secret");
        fx.get(proxy, "nope", "/");

        List<String> lines = accessLines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).hasSize(2);
        JsonNode served = Json.mapper().readTree(lines.get(0));
        assertThat(served.get("app").asText()).isEqualTo("hello");
        assertThat(served.get("method").asText()).isEqualTo("GET");
        assertThat(served.get("path").asText()).isEqualTo("/some/path");
        assertThat(served.get("status").asInt()).isEqualTo(200);
        assertThat(served.get("bytes").asLong()).isEqualTo(response.body().length());
        assertThat(served.get("durationMs").asLong()).isNotNegative();
        assertThat(served.get("instance").asText()).isEqualTo("hello-ams");
        assertThat(served.get("instanceRegion").asText()).isEqualTo("ams");
        assertThat(served.get("edgeRegion").asText()).isEqualTo("ams");
        assertThat(served.get("requestId").asText()).isEqualTo(response.headers().firstValue("Outpost-Request-Id").orElseThrow());
        assertThat(served.get("clientIp").asText()).isEqualTo("127.0.0.1");
        assertThat(served.get("time").asText()).isNotBlank();
        JsonNode unknown = Json.mapper().readTree(lines.get(1));
        assertThat(unknown.get("status").asInt()).isEqualTo(404);
        assertThat(unknown.get("app").isNull()).isTrue();
        assertThat(unknown.get("instance").isNull()).isTrue();
    }
}
