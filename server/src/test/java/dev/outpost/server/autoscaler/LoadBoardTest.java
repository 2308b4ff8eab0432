package dev.outpost.server.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.api.AppLoad;
import dev.outpost.core.api.LoadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBoardTest {
    static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");

    static LoadReport report(String region, String edge, String app, double rps) {
        return new LoadReport(region, edge, T0, List.of(new AppLoad(app, (long) rps, rps, 1, 0, 0, List.of())));
    }

    @Test
    void edgesOfARegionAddUpPerSecondAndALaterReportOfTheSameEdgeReplacesItsEarlier() {
        LoadBoard board = new LoadBoard(Duration.ofMinutes(10));
        board.record(report("iad", "iad-a", "web", 10), T0.plusMillis(100));
        board.record(report("iad", "iad-b", "web", 5), T0.plusMillis(200));
        board.record(report("iad", "iad-a", "web", 12), T0.plusMillis(900));
        board.record(report("syd", "syd-a", "web", 7), T0.plusMillis(300));
        board.record(report("iad", "iad-a", "other", 99), T0.plusMillis(300));

        DemandWindow w = board.window("web", T0.plusSeconds(1), Duration.ofSeconds(10));
        assertThat(w.of("iad")).singleElement().satisfies(s -> {
            assertThat(s.requestsPerSecond()).isEqualTo(17);
            assertThat(s.connections()).isEqualTo(2);
        });
        assertThat(w.of("syd")).extracting(DemandSample::requestsPerSecond).containsExactly(7.0);
        assertThat(w.coveredSince()).isEqualTo(T0.plusMillis(100));
        assertThat(board.latest("web", T0.plusSeconds(1)).get("iad").demand().requestsPerSecond()).isEqualTo(17);
    }

    @Test
    void aGapInReportsRestartsTheEvidenceAndSilenceIsNoEvidence() {
        LoadBoard board = new LoadBoard(Duration.ofMinutes(10));
        board.record(report("iad", "e", "web", 10), T0);
        board.record(report("iad", "e", "web", 10), T0.plusSeconds(1));
        board.record(report("iad", "e", "web", 10), T0.plusSeconds(20));
        assertThat(board.coveredSince()).contains(T0.plusSeconds(20));
        assertThat(board.window("web", T0.plusSeconds(21), Duration.ofMinutes(1)).regions().get("iad")).hasSize(3);
        assertThat(board.window("web", T0.plusSeconds(40), Duration.ofMinutes(1))).isEqualTo(DemandWindow.EMPTY);
    }

    @Test
    void activityIsTheLastBusySecondPerRegionPerInstanceAndAcrossRegions() {
        LoadBoard board = new LoadBoard(Duration.ofMinutes(10));
        board.record(new LoadReport("iad", "e", T0, List.of(new AppLoad("web", 3, 3, 0, 0, 0, List.of()))), T0);
        board.record(new LoadReport("syd", "s", T0, List.of(new AppLoad("web", 0, 0, 0, 0, 0,
                List.of(new AppLoad.InstanceLoad("i-syd", 1, 20, 25), new AppLoad.InstanceLoad("i-idle", 0, 20, 25))))), T0.plusSeconds(2));
        board.record(new LoadReport("ams", "a", T0, List.of(new AppLoad("web", 2, 2, 0, 2, 0, List.of()))), T0.plusSeconds(3));
        board.record(new LoadReport("ams", "a", T0, List.of(new AppLoad("web", 0, 0, 1, 0, 0, List.of()))), T0.plusSeconds(4));
        board.record(new LoadReport("iad", "e", T0, List.of()), T0.plusSeconds(5));

        LoadBoard.Activity a = board.activity("web", T0.plusSeconds(5), Duration.ofSeconds(10));
        assertThat(a.coveredSince()).isEqualTo(T0);
        assertThat(a.regions()).isEqualTo(Map.of("iad", T0, "ams", T0.plusSeconds(4)));
        assertThat(a.instances()).isEqualTo(Map.of("i-syd", T0.plusSeconds(2)));
        assertThat(a.remote()).isEqualTo(T0.plusSeconds(3));
        assertThat(a.lastBusy("i-syd", "syd")).isEqualTo(T0.plusSeconds(3));
        assertThat(a.lastBusy("i-iad", "iad")).as("ams's edge sent requests across regions at 3").isEqualTo(T0.plusSeconds(3));
        assertThat(a.lastBusy("i-ams", "ams")).as("an open connection at 4").isEqualTo(T0.plusSeconds(4));

        assertThat(board.activity("web", T0.plusSeconds(5), Duration.ofSeconds(2)).lastBusy("i-iad", "iad"))
                .as("only the last 2 s").isNull();
        assertThat(board.activity("other", T0.plusSeconds(5), Duration.ofSeconds(10)).lastBusy("i-iad", "iad")).isNull();
        assertThat(board.activity("web", T0.plusSeconds(12), Duration.ofSeconds(10))).as("the edges went quiet")
                .isEqualTo(LoadBoard.Activity.NONE);
    }

    @Test
    void reportsOlderThanTheRetentionAreDropped() {
        LoadBoard board = new LoadBoard(Duration.ofSeconds(30));
        for (int s = 0; s <= 60; s++) {
            board.record(report("iad", "e", "web", s), T0.plusSeconds(s));
        }
        List<DemandSample> kept = board.window("web", T0.plusSeconds(60), Duration.ofHours(1)).of("iad");
        assertThat(kept).hasSize(30);
        assertThat(kept.get(0).requestsPerSecond()).isEqualTo(31);
        assertThat(board.latest("web", T0.plusSeconds(100))).isEmpty();
    }

    @Test
    void retentionShorterThanTheGapIsRefused() {
        assertThatThrownBy(() -> new LoadBoard(Duration.ofSeconds(1))).hasMessageContaining("at least");
    }
}
