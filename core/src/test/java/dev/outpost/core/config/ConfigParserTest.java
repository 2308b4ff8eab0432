package dev.outpost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
    static final String FULL = """
            app = "hello"
            primary_region = "iad"

            [build]
            cmd = ["java", "Hello.java"]

            [env]
            GREETING = "hi"
            WORKERS = 4

            [[services]]
            internal_port = 8080
              [[services.ports]]
              port = 80
              handlers = ["http"]
              [[services.ports]]
              port = 443
              handlers = ["tls", "http"]
              [services.concurrency]
              type = "connections"
              soft_limit = 10
              hard_limit = 12
              [[services.http_checks]]
              path = "/healthz"
              interval = "5s"
              timeout = "250ms"
              grace_period = "1m"

            [scale]
            regions = { iad = 2, ams = 1, syd = 1 }
            autostop = true
            min_running = 1

            [deploy]
            strategy = "canary"
            max_unavailable = 0.5
            wait_timeout = "90s"

            [vm]
            size = "shared-2x"

            [budget]
            monthly_usd = 50
            """;

    @Test
    void parsesEverySectionOfTheDesignShape() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", FULL);
        assertThat(c.app()).isEqualTo("hello");
        assertThat(c.primaryRegion()).isEqualTo("iad");
        assertThat(c.build().cmd()).containsExactly("java", "Hello.java");
        assertThat(c.env()).containsEntry("GREETING", "hi").containsEntry("WORKERS", "4");
        AppConfig.Service s = c.services().get(0);
        assertThat(s.internalPort()).isEqualTo(8080);
        assertThat(s.ports()).extracting(AppConfig.Port::port).containsExactly(80, 443);
        assertThat(s.ports().get(1).handlers()).containsExactly("tls", "http");
        assertThat(s.concurrency()).isEqualTo(new AppConfig.Concurrency("connections", 10, 12));
        assertThat(s.httpChecks().get(0)).isEqualTo(new AppConfig.HttpCheck("/healthz", "GET", Duration.ofSeconds(5),
                Duration.ofMillis(250), Duration.ofMinutes(1)));
        assertThat(c.scale().regions()).isEqualTo(Map.of("iad", 2, "ams", 1, "syd", 1));
        assertThat(c.scale().autostop()).isTrue();
        assertThat(c.scale().minRunning()).isEqualTo(1);
        assertThat(c.deploy()).isEqualTo(new AppConfig.Deploy("canary", 0.5, Duration.ofSeconds(90)));
        assertThat(c.vm().size()).isEqualTo("shared-2x");
        assertThat(c.budget().monthlyUsd()).isEqualTo(50.0);
    }

    @Test
    void aCommandStringRunsThroughTheShell() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", "app = \"web\"\n[build]\ncmd = \"java Hello.java\"\n");
        assertThat(c.build().cmd()).containsExactly("sh", "-c", "java Hello.java");
    }

    @Test
    void defaultsAreFilledIn() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", "app = \"web\"\n");
        assertThat(c.deploy()).isEqualTo(AppConfig.Deploy.DEFAULT);
        assertThat(c.vm()).isEqualTo(AppConfig.Vm.DEFAULT);
        assertThat(c.services()).isEmpty();
        assertThat(c.scale().regions()).isEmpty();
    }

    @Test
    void survivesAJsonRoundTrip() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", FULL);
        String json = Json.mapper().writeValueAsString(c);
        assertThat(Json.mapper().readValue(json, AppConfig.class)).isEqualTo(c);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown top-level key   | app = \"web\"\\nfoo = 1\\n                                                | 2 | foo                          | unknown key",
            "unknown key in table    | app = \"web\"\\n[deploy]\\nstrategy = \"rolling\"\\nspeed = 3\\n             | 4 | deploy.speed                 | unknown key",
            "bad duration            | app = \"web\"\\n\\n[deploy]\\nwait_timeout = \"5 parsecs\"\\n              | 4 | deploy.wait_timeout          | is not a duration",
            "bad app name            | app = \"Hello_World\"\\n                                                   | 1 | app                          | is invalid",
            "port out of range       | app = \"web\"\\n[[services]]\\ninternal_port = 70000\\n                      | 3 | services[0].internal_port    | out of range (1-65535)",
            "public port of 2nd svc  | app = \"web\"\\n[[services]]\\ninternal_port = 80\\n[[services]]\\ninternal_port = 81\\n  [[services.ports]]\\n  port = 0\\n | 7 | services[1].ports[0].port | out of range",
            "unknown handler         | app = \"web\"\\n[[services]]\\ninternal_port = 80\\n  [[services.ports]]\\n  port = 80\\n  handlers = [\"gzip\"]\\n | 6 | services[0].ports[0].handlers[0] | is not a handler",
            "check key typo          | app = \"web\"\\n[[services]]\\ninternal_port = 80\\n  [[services.http_checks]]\\n  pth = \"/\"\\n | 5 | services[0].http_checks[0].pth | unknown key",
            "soft above hard         | app = \"web\"\\n[[services]]\\ninternal_port = 80\\n  [services.concurrency]\\n  soft_limit = 30\\n  hard_limit = 20\\n | 5 | services[0].concurrency.soft_limit | above hard_limit",
            "inline region count     | app = \"web\"\\n[scale]\\nregions = { iad = -1 }\\n                              | 3 | scale.regions.iad            | out of range",
            "reserved env            | app = \"web\"\\n[env]\\nPORT = \"1\"\\n                                     | 3 | env.PORT                     | set by Outpost",
            "two build kinds         | app = \"web\"\\n[build]\\nimage = \"x\"\\ncmd = \"y\"\\n                      | 2 | build                        | only one of",
            "unknown vm size         | app = \"web\"\\n[vm]\\nsize = \"huge-9x\"\\n                              | 3 | vm.size                      | expected one of shared-1x",
            "wrong type              | app = \"web\"\\n[scale]\\nautostop = \"yes\"\\n                            | 3 | scale.autostop               | expected true or false",
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

    @Test
    void syntaxErrorsCarryTheirLine() {
        assertThatThrownBy(() -> ConfigParser.parse("outpost.toml", "app = \"web\"\n[deploy\nstrategy = 1\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith("outpost.toml line 2: invalid TOML");
                });
    }

    @Test
    void listOfUnknownKeysSuggestsTheValidOnes() {
        assertThatThrownBy(() -> ConfigParser.parse("outpost.toml", "[vm]\nsise = \"x\"\n"))
                .hasMessageContaining("expected one of size");
    }

    @Test
    void durationsParseAndFormat() {
        assertThat(dev.outpost.core.Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(dev.outpost.core.Durations.format(Duration.ofMillis(2500))).isEqualTo("2s500ms");
        assertThatThrownBy(() -> dev.outpost.core.Durations.parse("5")).hasMessageContaining("is not a duration");
        assertThat(List.of("250ms", "5s", "10m", "2h")).allSatisfy(d ->
                assertThat(dev.outpost.core.Durations.format(dev.outpost.core.Durations.parse(d))).isEqualTo(d));
    }
}
