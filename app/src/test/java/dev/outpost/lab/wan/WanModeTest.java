package dev.outpost.lab.wan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WanModeTest {
    @Test
    void theModeIsRecognizedFromWhatAnEdgeMeasured() {
        // syd: iad 200, ams 275, sin 95 in the table; probes add their processing on top.
        assertThat(WanMode.recognize("syd", Map.of("iad", 203.0, "ams", 279.5, "sin", 97.2))).contains(WanMode.REAL);
        assertThat(WanMode.recognize("syd", Map.of("iad", 21.0, "ams", 28.4, "sin", 11.9))).contains(WanMode.SCALED);
        assertThat(WanMode.recognize("syd", Map.of("iad", 1.2, "ams", 0.8, "sin", 2.5))).contains(WanMode.NONE);
        // One outlier (a probe that queued) does not move the median.
        assertThat(WanMode.recognize("syd", Map.of("iad", 150.0, "ams", 28.4, "sin", 11.9))).contains(WanMode.SCALED);
    }

    @Test
    void nothingMeasuredYetRecognizesNothing() {
        assertThat(WanMode.recognize("syd", Map.of())).isEqualTo(Optional.empty());
        // Its own region and regions outside the table are not distances of the table.
        assertThat(WanMode.recognize("syd", Map.of("syd", 0.1, "xyz", 50.0))).isEqualTo(Optional.empty());
    }
}
