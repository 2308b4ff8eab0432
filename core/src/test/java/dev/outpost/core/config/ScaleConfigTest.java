package dev.outpost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.Json;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code [scale]}'s autoscaling keys: ranges per region, {@code max_total}, {@code target_utilization}, the window;
 * and its idle keys: {@code autostop}, {@code autostop_after}, {@code autostart}, {@code min_running}.
 */
class ScaleConfigTest {

    @Test
    void rangesAndLimitsAreRead() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", """
                app = "web"
                [scale]
                regions = { iad = { min = 1, max = 5 }, ams = 2, syd = { min = 0, max = 3 } }
                max_total = 8
                target_utilization = 0.5
                scale_down_window = "90s"
                """);
        AppConfig.Scale s = c.scale();
        assertThat(s.range("iad")).isEqualTo(new Autoscale.Range(1, 5));
        assertThat(s.range("ams")).isEqualTo(new Autoscale.Range(2, 2));
        assertThat(s.range("syd")).isEqualTo(new Autoscale.Range(0, 3));
        assertThat(s.range("nrt")).isNull();
        // The first deploy's counts: a range starts at its min.
        assertThat(s.regions()).isEqualTo(Map.of("iad", 1, "ams", 2, "syd", 0));
        assertThat(s.autoscaled()).isTrue();
        assertThat(s.autoscale().maxTotal()).isEqualTo(8);
        assertThat(s.autoscale().targetUtilization()).isEqualTo(0.5);
        assertThat(s.autoscale().scaleDownWindow()).isEqualTo(Duration.ofSeconds(90));
        assertThat(Json.mapper().readValue(Json.mapper().writeValueAsString(c), AppConfig.class)).isEqualTo(c);
    }

    @Test
    void plainCountsStayFixedWithDefaults() throws Exception {
        AppConfig.Scale s = ConfigParser.parse("outpost.toml", "app = \"web\"\n[scale]\nregions = { iad = 2 }\n").scale();
        assertThat(s.regions()).isEqualTo(Map.of("iad", 2));
        assertThat(s.range("iad")).isEqualTo(new Autoscale.Range(2, 2));
        assertThat(s.autoscaled()).isFalse();
        assertThat(s.autoscale().maxTotal()).isNull();
        assertThat(s.autoscale().targetUtilization()).isEqualTo(0.7);
        assertThat(s.autoscale().scaleDownWindow()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void autostopKeysAreReadWithTheirDefaults() throws Exception {
        AppConfig c = ConfigParser.parse("outpost.toml", """
                app = "web"
                [scale]
                regions = { iad = 1, syd = { min = 0, max = 2 } }
                autostop = true
                autostop_after = "90s"
                autostart = true
                min_running = 1
                """);
        AppConfig.Scale s = c.scale();
        assertThat(s.autostop()).isTrue();
        assertThat(s.autostopAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.autostart()).isTrue();
        assertThat(s.minRunning()).isEqualTo(1);
        assertThat(Json.mapper().readValue(Json.mapper().writeValueAsString(c), AppConfig.class)).isEqualTo(c);

        AppConfig.Scale plain = ConfigParser.parse("outpost.toml", "app = \"web\"\n[scale]\nautostop = true\n").scale();
        assertThat(plain.autostop()).isTrue();
        assertThat(plain.autostopAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plain.autostart()).isFalse();
        assertThat(plain.minRunning()).isZero();
        assertThat(AppConfig.Scale.DEFAULT.autostop()).isFalse();
        assertThat(AppConfig.Scale.DEFAULT.autostopAfter()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void rangesInTheirOwnTableAreRead() throws Exception {
        AppConfig.Scale s = ConfigParser.parse("outpost.toml", """
                app = "web"
                [scale.regions]
                iad = { min = 2, max = 4 }
                """).scale();
        assertThat(s.range("iad")).isEqualTo(new Autoscale.Range(2, 4));
        assertThat(s.regions()).isEqualTo(Map.of("iad", 2));
    }

    @Test
    void releasesStoredBeforeAutoscalingStillRead() throws Exception {
        String old = """
                {"app":"web","scale":{"regions":{"iad":2},"autostop":false,"autostart":false,"minRunning":0}}""";
        AppConfig c = Json.mapper().readValue(old, AppConfig.class);
        assertThat(c.scale().autoscale()).isEqualTo(Autoscale.NONE);
        assertThat(c.scale().range("iad")).isEqualTo(new Autoscale.Range(2, 2));
        assertThat(c.scale().autostopAfter()).isEqualTo(AppConfig.Scale.DEFAULT_AUTOSTOP_AFTER);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "min above max        | app = \"web\"\\n[scale]\\nregions = { iad = { min = 4, max = 2 } }\\n        | 3 | scale.regions.iad.min      | min 4 is above max 2",
            "negative min         | app = \"web\"\\n[scale]\\nregions = { iad = { min = -1, max = 2 } }\\n       | 3 | scale.regions.iad.min      | out of range",
            "negative max         | app = \"web\"\\n\\n[scale.regions]\\niad = { min = 0, max = -2 }\\n       | 4 | scale.regions.iad.max      | out of range",
            "range without max    | app = \"web\"\\n[scale]\\nregions = { iad = { min = 1 } }\\n                  | 3 | scale.regions.iad.max      | is required",
            "unknown range key    | app = \"web\"\\n[scale]\\nregions = { iad = { min = 1, most = 3 } }\\n        | 3 | scale.regions.iad.most     | unknown key",
            "bad region code      | app = \"web\"\\n[scale]\\nregions = { Sydney = { min = 1, max = 3 } }\\n      | 3 | scale.regions.Sydney       | is not a region code",
            "utilization zero     | app = \"web\"\\n[scale]\\ntarget_utilization = 0\\n                          | 3 | scale.target_utilization   | out of range",
            "utilization above 1  | app = \"web\"\\n[scale]\\nregions = { iad = 1 }\\ntarget_utilization = 1.5\\n  | 4 | scale.target_utilization   | out of range",
            "utilization string   | app = \"web\"\\n[scale]\\ntarget_utilization = \"70%\"\\n                    | 3 | scale.target_utilization   | out of range",
            "negative max_total   | app = \"web\"\\n[scale]\\nmax_total = -1\\n                                  | 3 | scale.max_total            | out of range",
            "max_total below mins | app = \"web\"\\n[scale]\\nregions = { iad = { min = 2, max = 5 }, ams = 2 }\\nmax_total = 3\\n | 4 | scale.max_total | below the 4 instances",
            "bad window           | app = \"web\"\\n[scale]\\nscale_down_window = \"soon\"\\n                      | 3 | scale.scale_down_window    | is not a duration",
            "zero window          | app = \"web\"\\n[scale]\\nscale_down_window = \"0s\"\\n                        | 3 | scale.scale_down_window    | longer than 0s",
            "bad autostop_after   | app = \"web\"\\n[scale]\\nautostop = true\\nautostop_after = \"soon\"\\n | 4 | scale.autostop_after | \"soon\" is not a duration",
            "zero autostop_after  | app = \"web\"\\n[scale]\\nautostop = true\\nautostop_after = \"0s\"\\n   | 4 | scale.autostop_after | \"0s\" must be longer than 0s",
            "neg. autostop_after  | app = \"web\"\\n[scale]\\nautostop_after = \"-5m\"\\n                   | 3 | scale.autostop_after | \"-5m\" is not a duration",
            "number autostop_after| app = \"web\"\\n[scale]\\nautostop_after = 300\\n                       | 3 | scale.autostop_after | expected a duration string",
            "autostop not a bool  | app = \"web\"\\n[scale]\\nautostop = \"yes\"\\n                           | 3 | scale.autostop       | expected true or false",
            "negative min_running | app = \"web\"\\n[scale]\\nmin_running = -1\\n                           | 3 | scale.min_running    | out of range",
            "max above the cap    | app = \"web\"\\n[scale]\\nregions = { iad = { min = 1, max = 101 } }\\n      | 3 | scale.regions.iad.max      | 101 is out of range (0-100)",
            "count above the cap  | app = \"web\"\\n[scale]\\nregions = { iad = 101 }\\n                        | 3 | scale.regions.iad          | 101 is out of range (0-100)",
            "negative budget      | app = \"web\"\\n[budget]\\nmonthly_usd = -5\\n                             | 3 | budget.monthly_usd         | -5 is not a budget",
            "budget not a number  | app = \"web\"\\n[budget]\\nmonthly_usd = \"lots\"\\n                         | 3 | budget.monthly_usd         | lots is not a budget",
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
