package dev.outpost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code [[services.ports]]} handler chains, {@code proxy_proto_options} and {@code [services.http_options]}. */
class ConfigParserPortsTest {
    static final String EVERY_CHAIN = """
            app = "db"

            [[services]]
            internal_port = 5432
              [services.http_options]
              h2_backend = true
              [[services.ports]]
              port = 5432
              [[services.ports]]
              port = 5433
              handlers = ["tls"]
              [[services.ports]]
              port = 80
              handlers = ["http"]
              [[services.ports]]
              port = 443
              handlers = ["tls", "http"]
              [[services.ports]]
              port = 5434
              handlers = ["proxy_proto"]
              [[services.ports]]
              port = 5435
              handlers = ["tls", "proxy_proto"]
              proxy_proto_options = { version = "v2" }
            """;

    @Test
    void everyHandlerChainParses() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", EVERY_CHAIN);

        AppConfig.Service s = c.services().getFirst();
        assertThat(s.h2Backend()).isTrue();
        assertThat(s.ports()).containsExactly(
                new AppConfig.Port(5432, List.of(), 1),
                new AppConfig.Port(5433, List.of("tls"), 1),
                new AppConfig.Port(80, List.of("http"), 1),
                new AppConfig.Port(443, List.of("tls", "http"), 1),
                new AppConfig.Port(5434, List.of("proxy_proto"), 1),
                new AppConfig.Port(5435, List.of("tls", "proxy_proto"), 2));
        assertThat(s.ports()).filteredOn(AppConfig.Port::http).extracting(AppConfig.Port::port).containsExactly(80, 443);
        assertThat(Json.mapper().readValue(Json.mapper().writeValueAsString(c), AppConfig.class)).isEqualTo(c);
    }

    @Test
    void proxyProtoDefaultsToVersionOneAndH2BackendToOff() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", """
                app = "db"
                [[services]]
                internal_port = 5432
                  [[services.ports]]
                  port = 5432
                  handlers = ["proxy_proto"]
                  proxy_proto_options = { version = "v1" }
                  [[services.ports]]
                  port = 6432
                  handlers = ["proxy_proto"]
                """);

        assertThat(c.services().getFirst().ports()).extracting(AppConfig.Port::proxyProtoVersion).containsExactly(1, 1);
        assertThat(c.services().getFirst().h2Backend()).isFalse();
    }

    @Test
    void idleTimeoutsApplyToDedicatedAddressPortsAndDefaultToOneHour() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", """
                app = "db"
                [[services]]
                internal_port = 5432
                  [[services.ports]]
                  port = 5432
                  idle_timeout = "30m"
                  [[services.ports]]
                  port = 5433
                  handlers = ["tls", "proxy_proto"]
                  idle_timeout = "2d"
                  [[services.ports]]
                  port = 6432
                  [[services.ports]]
                  port = 443
                  handlers = ["tls", "http"]
                """);

        assertThat(c.services().getFirst().ports()).extracting(AppConfig.Port::idleTimeout).containsExactly(
                java.time.Duration.ofMinutes(30), java.time.Duration.ofDays(2), java.time.Duration.ofHours(1), java.time.Duration.ofHours(1));
        assertThat(Json.mapper().readValue(Json.mapper().writeValueAsString(c), AppConfig.class)).isEqualTo(c);
        // A release stored before idle_timeout existed has no such field: it reads as the default.
        String old = Json.mapper().writeValueAsString(c).replaceAll(",\\s*\"idleTimeout\"\\s*:\\s*\"[^\"]*\"", "");
        assertThat(old).doesNotContain("idleTimeout");
        assertThat(Json.mapper().readValue(old, AppConfig.class).services().getFirst().ports())
                .extracting(AppConfig.Port::idleTimeout).containsOnly(AppConfig.Port.DEFAULT_IDLE_TIMEOUT);
    }

    @Test
    void responseTimeoutIsReadAndDefaultsToSixtySecondsAlsoForReleasesStoredBeforeIt() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", """
                app = "reports"
                [[services]]
                internal_port = 8080
                  [services.http_options]
                  response_timeout = "5m"
                  [[services.ports]]
                  port = 80
                  handlers = ["http"]
                """);

        assertThat(c.services().getFirst().responseTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(Json.mapper().readValue(Json.mapper().writeValueAsString(c), AppConfig.class)).isEqualTo(c);
        // Not set: null, so the edge can tell (the default for HTTP requests, no timeout for gRPC calls).
        assertThat(ConfigParser.parse("outpost.toml", PORT.replace("\\n", "\n")).services().getFirst().responseTimeout()).isNull();
        String old = Json.mapper().writeValueAsString(c).replaceAll(",\\s*\"responseTimeout\"\\s*:\\s*\"[^\"]*\"", "");
        assertThat(old).doesNotContain("responseTimeout");
        assertThat(Json.mapper().readValue(old, AppConfig.class).services().getFirst().responseTimeout()).isNull();
    }

    static final String PORT = "app = \"db\"\\n[[services]]\\ninternal_port = 80\\n  [[services.ports]]\\n  port = 5432\\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "http then proxy_proto   | " + PORT + "  handlers = [\"http\", \"proxy_proto\"]\\n | 6 | services[0].ports[0].handlers | is not a handler chain",
            "proxy_proto then tls    | " + PORT + "  handlers = [\"proxy_proto\", \"tls\"]\\n | 6 | services[0].ports[0].handlers | is not a handler chain",
            "handler twice           | " + PORT + "  handlers = [\"tls\", \"tls\"]\\n | 6 | services[0].ports[0].handlers[1] | is listed twice",
            "options without proto   | " + PORT + "  handlers = [\"tls\"]\\n  proxy_proto_options = { version = \"v2\" }\\n | 7 | services[0].ports[0].proxy_proto_options | handlers do not include \"proxy_proto\"",
            "unknown proto version   | " + PORT + "  handlers = [\"proxy_proto\"]\\n  proxy_proto_options = { version = \"v3\" }\\n | 7 | services[0].ports[0].proxy_proto_options.version | is not a PROXY protocol version",
            "options key typo        | " + PORT + "  handlers = [\"proxy_proto\"]\\n  proxy_proto_options = { versoin = \"v2\" }\\n | 7 | services[0].ports[0].proxy_proto_options.versoin | unknown key",
            "port listed twice       | " + PORT + "  [[services.ports]]\\n  port = 5432\\n | 7 | services[0].ports[1].port | listed twice",
            "two internal ports      | app = \"db\"\\n[[services]]\\ninternal_port = 80\\n[[services]]\\ninternal_port = 81\\n | 5 | services[1].internal_port | one internal_port per app",
            "port in two services    | " + PORT + "[[services]]\\ninternal_port = 80\\n  [[services.ports]]\\n  port = 5432\\n | 8 | services[1].ports | already used by an earlier service",
            "h2_backend not boolean  | app = \"db\"\\n[[services]]\\ninternal_port = 80\\n  [services.http_options]\\n  h2_backend = \"yes\"\\n | 5 | services[0].http_options.h2_backend | expected true or false",
            "http_options key typo   | app = \"db\"\\n[[services]]\\ninternal_port = 80\\n  [services.http_options]\\n  h2 = true\\n | 5 | services[0].http_options.h2 | unknown key",
            "idle timeout on http    | " + PORT + "  handlers = [\"http\"]\\n  idle_timeout = \"5m\"\\n | 7 | services[0].ports[0].idle_timeout | HTTP connections are closed by the edge's keep-alive timeout",
            "idle timeout too short  | " + PORT + "  idle_timeout = \"500ms\"\\n | 6 | services[0].ports[0].idle_timeout | \"500ms\" is out of range (1s to 7d)",
            "idle timeout too long   | " + PORT + "  idle_timeout = \"8d\"\\n | 6 | services[0].ports[0].idle_timeout | is out of range (1s to 7d)",
            "idle timeout not text   | " + PORT + "  idle_timeout = 30\\n | 6 | services[0].ports[0].idle_timeout | expected a duration string",
            "response timeout short  | app = \"db\"\\n[[services]]\\ninternal_port = 80\\n  [services.http_options]\\n  response_timeout = \"500ms\"\\n | 5 | services[0].http_options.response_timeout | \"500ms\" is out of range (1s to 1d)",
            "response timeout long   | app = \"db\"\\n[[services]]\\ninternal_port = 80\\n  [services.http_options]\\n  response_timeout = \"2d\"\\n | 5 | services[0].http_options.response_timeout | is out of range (1s to 1d)",
            "response timeout number | app = \"db\"\\n[[services]]\\ninternal_port = 80\\n  [services.http_options]\\n  response_timeout = 60\\n | 5 | services[0].http_options.response_timeout | expected a duration string",
            "idle timeout bad unit   | " + PORT + "  idle_timeout = \"30 minutes\"\\n | 6 | services[0].ports[0].idle_timeout | expected e.g.",
    })
    void badInputNamesTheKeyAndLine(String name, String source, int line, String key, String problem) {
        String toml = source.trim().replace("\\n", "\n");
        assertThatThrownBy(() -> ConfigParser.parse("outpost.toml", toml))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.getMessage()).startsWith("outpost.toml line " + line + ": " + key + ": ").contains(problem);
                });
    }
}
