package dev.outpost.server.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.VmSize;
import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerException;
import dev.outpost.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricesTest {
    @TempDir
    Path dir;

    @Test
    void defaultsPriceEveryPresetWithSharedOneXAtAboutTwoDollarsAMonth() {
        Prices prices = Prices.defaults();
        VmSize.PRESETS.forEach(s -> assertThat(prices.perSecond(s.name())).isPositive());
        assertThat(prices.perSecond("shared-1x") * Prices.SECONDS_PER_MONTH).isCloseTo(1.94, within(0.001));
    }

    @Test
    void readsTomlPerMonthAndJsonPerSecond() throws Exception {
        Path toml = Files.writeString(dir.resolve("prices.toml"), "[per_month]\nshared-1x = 2.592\n");
        assertThat(Prices.read(toml).perSecond("shared-1x")).isCloseTo(0.000001, within(1e-12));
        Path json = Files.writeString(dir.resolve("prices.json"), "{\"shared-2x\": 0.5}");
        assertThat(Prices.read(json).perSecond("shared-2x")).isEqualTo(0.5);
    }

    @Test
    void aPriceThatIsNotANumberIsRefusedNamingIt() throws Exception {
        Path bad = Files.writeString(dir.resolve("prices.json"), "{\"shared-1x\": \"cheap\"}");
        assertThatThrownBy(() -> Prices.read(bad)).hasMessageContaining("shared-1x").hasMessageContaining("cheap");
    }

    @Test
    void theServerRefusesToStartNamingEachSizeInUseWithoutAPriceAndTheAppsThatUseIt() {
        Instant now = Instant.now();
        try (Store store = Store.open(dir.resolve("outpost.db").toString())) {
            for (String app : List.of("big", "bigger", "small")) {
                store.createApp(app, "iad", now);
                store.createRelease(app, "sha256:" + "a".repeat(64), new AppConfig(app, "iad", new AppConfig.Build(null, null, List.of("run")),
                        Map.of(), List.of(), null, null, new AppConfig.Vm(app.equals("small") ? "shared-1x" : "performance-2x"), null),
                        now, now.plus(Duration.ofMinutes(5)));
                store.scheduling().activate(app, 1, "v1 is serving", List.of());
            }
            assertThatThrownBy(() -> new OutpostServer(new ServerConfig("127.0.0.1", 0, dir, List.of("iad"), null,
                    new Prices(Map.of("shared-1x", 0.001))), store, Clock.systemUTC()))
                    .isInstanceOf(ServerException.class)
                    .hasMessageContaining("vm size performance-2x (used by big, bigger)")
                    .hasMessageNotContaining("small")
                    .hasMessageContaining("it prices shared-1x");
        }
    }
}
