package dev.outpost.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigParser;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LaunchTomlTest {
    @Test
    void renderedConfigParsesBackWithEveryLaunchDefault() throws Exception {
        String toml = LaunchToml.render("hello", List.of("ams", "iad"), "python3 -m http.server \"$PORT\"");

        AppConfig config = ConfigParser.parse("outpost.toml", toml);

        assertThat(config.app()).isEqualTo("hello");
        assertThat(config.primaryRegion()).isEqualTo("ams");
        assertThat(config.build().cmd()).containsExactly("sh", "-c", "python3 -m http.server \"$PORT\"");
        assertThat(config.scale().regions()).isEqualTo(Map.of("ams", 1, "iad", 1));
        assertThat(config.services()).hasSize(1);
        AppConfig.Service service = config.services().getFirst();
        assertThat(service.internalPort()).isEqualTo(8080);
        assertThat(service.ports()).containsExactly(new AppConfig.Port(80, List.of("http")), new AppConfig.Port(443, List.of("tls", "http")));
        assertThat(service.concurrency()).isEqualTo(new AppConfig.Concurrency("requests", 20, 25));
        assertThat(service.httpChecks()).containsExactly(
                new AppConfig.HttpCheck("/", "GET", Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void withoutCommandThereIsNoBuildSection() throws Exception {
        String toml = LaunchToml.render("hello", List.of("iad"), null);

        assertThat(toml).doesNotContain("[build]");
        assertThat(ConfigParser.parse("outpost.toml", toml).build().cmd()).isEmpty();
    }

    @Test
    void commandWithBackslashesAndNewlinesSurvivesQuoting() throws Exception {
        String cmd = "printf 'a\\tb\\n' && echo \"done\"\necho next";
        assertThat(ConfigParser.parse("outpost.toml", LaunchToml.render("hello", List.of("iad"), cmd)).build().cmd())
                .containsExactly("sh", "-c", cmd);
    }

    @ParameterizedTest
    @CsvSource({
            "hello, hello",
            "My_Shop 2, my-shop-2",
            "2048-game, app-2048-game",
            "x, x-app",
            "--, app",
            "ÜberApp, berapp",
    })
    void directoryNamesBecomeValidAppNames(String directory, String app) {
        assertThat(AppNames.fromDirectory(directory)).isEqualTo(app);
    }

    @Test
    void longDirectoryNamesAreCutTo63Characters() {
        assertThat(AppNames.fromDirectory("a".repeat(70) + "-b")).hasSize(63);
    }
}
