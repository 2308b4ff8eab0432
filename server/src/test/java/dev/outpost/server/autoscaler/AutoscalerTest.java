package dev.outpost.server.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.Autoscale;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AutoscalerTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    static final AppConfig.Concurrency SOFT_40 = new AppConfig.Concurrency("requests", 40, 50);

    /** {@code "iad=1-5,ams=2"}: ranges and fixed counts in that order. */
    static AppConfig.Scale scale(String regions, Integer maxTotal, String window) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Autoscale.Range> ranges = new LinkedHashMap<>();
        for (String part : regions.split(",")) {
            String[] kv = part.split("=");
            if (kv[1].contains("-")) {
                String[] mm = kv[1].split("-");
                ranges.put(kv[0], new Autoscale.Range(Integer.parseInt(mm[0]), Integer.parseInt(mm[1])));
                counts.put(kv[0], Integer.parseInt(mm[0]));
            } else {
                counts.put(kv[0], Integer.parseInt(kv[1]));
            }
        }
        return new AppConfig.Scale(counts, false, false, 0, new Autoscale(ranges, maxTotal, 0.7, Duration.parse("PT" + window)));
    }

    /** {@code "iad:84@-1"}: 84 req/s at iad's edges in the second 1 s before now; {@code @-1..-300} for every second of a range. */
    static DemandWindow demand(Duration covered, String samples) {
        Map<String, List<DemandSample>> regions = new TreeMap<>();
        if (!samples.isBlank()) {
            for (String part : samples.split(",")) {
                String region = part.substring(0, part.indexOf(':'));
                double rps = Double.parseDouble(part.substring(part.indexOf(':') + 1, part.indexOf('@')));
                String at = part.substring(part.indexOf('@') + 1);
                int from = at.contains("..") ? Integer.parseInt(at.substring(0, at.indexOf(".."))) : Integer.parseInt(at);
                int to = at.contains("..") ? Integer.parseInt(at.substring(at.indexOf("..") + 2)) : from;
                for (int s = Math.max(from, to); s >= Math.min(from, to); s--) {
                    regions.computeIfAbsent(region, r -> new ArrayList<>()).add(new DemandSample(NOW.plusSeconds(s), rps, 0, 0, 0));
                }
            }
        }
        regions.values().forEach(l -> l.sort((a, b) -> a.second().compareTo(b.second())));
        return new DemandWindow(covered == null ? null : NOW.minus(covered), regions);
    }

    static Map<String, Integer> counts(String s) {
        Map<String, Integer> m = new TreeMap<>();
        for (String part : s.split(",")) {
            String[] kv = part.split("=");
            m.put(kv[0], Integer.parseInt(kv[1]));
        }
        return m;
    }

    static Stream<Arguments> cases() {
        Duration tenMin = Duration.ofMinutes(10);
        return Stream.of(
                Arguments.of("scales up at once on the latest second", "iad=1-5", null, "5m", tenMin, "iad:84@-1", "iad=1", "iad=3"),
                Arguments.of("up even without a covered window", "iad=1-5", null, "5m", Duration.ofSeconds(2), "iad:84@-1", "iad=1", "iad=3"),
                Arguments.of("evidence older than the up window waits for the down rule", "iad=1-5", null, "5m", Duration.ofSeconds(30),
                        "iad:84@-10", "iad=1", "iad=1"),
                Arguments.of("clamped to max", "iad=1-5", null, "5m", tenMin, "iad:1000@-1", "iad=2", "iad=5"),
                Arguments.of("no demand and below min goes up to min", "iad=2-5", null, "5m", null, "", "iad=0", "iad=2"),
                Arguments.of("no down before the window is covered", "iad=1-5", null, "5m", Duration.ofMinutes(4), "", "iad=4", "iad=4"),
                Arguments.of("no down while a second in the window asked for more", "iad=1-5", null, "5m", tenMin,
                        "iad:84@-299,iad:10@-5", "iad=3", "iad=3"),
                Arguments.of("down to the window's peak once it held", "iad=1-5", null, "5m", tenMin,
                        "iad:30@-299..-200,iad:10@-5", "iad=4", "iad=2"),
                Arguments.of("down to min with no demand at all", "iad=1-5", null, "5m", tenMin, "", "iad=4", "iad=1"),
                Arguments.of("a short window scales down sooner", "iad=1-5", null, "30s", Duration.ofSeconds(31), "iad:84@-31", "iad=3", "iad=1"),
                Arguments.of("above max after a manual scale goes to max at once", "iad=1-3", null, "5m", Duration.ofSeconds(1), "", "iad=7", "iad=3"),
                Arguments.of("demand at syd served from iad adds syd instances", "iad=1-5,syd=0-4", null, "5m", tenMin,
                        "syd:56@-1,iad:20@-1", "iad=1,syd=0", "iad=1,syd=2"),
                Arguments.of("fixed counts are the user's", "iad=1-5,ams=2", null, "5m", tenMin, "ams:500@-1", "iad=1,ams=3", "iad=1,ams=3"),
                Arguments.of("demand in a region the app does not name is ignored", "iad=1-5", null, "5m", tenMin, "nrt:500@-1", "iad=1", "iad=1"),
                Arguments.of("max_total gives instances to regions by demand", "iad=1-5,syd=1-5", 5, "5m", tenMin,
                        "iad:140@-1,syd:56@-1", "iad=1,syd=1", "iad=3,syd=2"),
                Arguments.of("max_total keeps every min and counts fixed regions", "iad=1-5,syd=1-5,ams=2", 5, "5m", tenMin,
                        "iad:500@-1", "iad=1,syd=1,ams=2", "ams=2,iad=2,syd=1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, String regions, Integer maxTotal, String window, Duration covered, String samples, String current,
                 String expected) {
        Map<String, Integer> now = counts(current);
        List<ScaleDecision> decisions = Autoscaler.decide(scale(regions, maxTotal, window), SOFT_40, demand(covered, samples), now, NOW);
        Map<String, Integer> after = new TreeMap<>(now);
        decisions.forEach(d -> after.put(d.region(), d.to()));
        assertThat(after).isEqualTo(counts(expected));
        decisions.forEach(d -> assertThat(d.from()).isEqualTo(now.getOrDefault(d.region(), 0)).isNotEqualTo(d.to()));
    }

    @Test
    void decisionsSayWhy() {
        List<ScaleDecision> up = Autoscaler.decide(scale("iad=1-5", null, "5m"), SOFT_40, demand(Duration.ofMinutes(10), "iad:84@-1"),
                Map.of("iad", 1), NOW);
        assertThat(up).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("scale.up");
            assertThat(d.message()).isEqualTo("iad 1→3: 84 req/s arriving at iad, 28 per instance at target 0.7×40");
            assertThat(d.data()).containsEntry("requests_per_second", "84").containsEntry("to", "3");
        });
        List<ScaleDecision> down = Autoscaler.decide(scale("iad=1-5", null, "5m"), SOFT_40,
                demand(Duration.ofMinutes(10), "iad:20@-100"), Map.of("iad", 3), NOW);
        assertThat(down).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("scale.down");
            assertThat(d.message()).isEqualTo("iad 3→1: at most 20 req/s arriving at iad over the last 5m, 28 per instance at target 0.7×40");
        });
        List<ScaleDecision> capped = Autoscaler.decide(scale("iad=1-5", null, "5m"), SOFT_40, demand(null, "iad:1000@-1"),
                Map.of("iad", 1), NOW);
        assertThat(capped.get(0).message()).endsWith("(36 wanted, the region's max is 5)");
    }

    @Test
    void connectionsAppsScaleOnOpenConnections() {
        DemandWindow window = new DemandWindow(NOW.minusSeconds(600),
                Map.of("iad", List.of(new DemandSample(NOW.minusSeconds(1), 1, 30, 0, 0))));
        List<ScaleDecision> d = Autoscaler.decide(scale("iad=1-5", null, "5m"), new AppConfig.Concurrency("connections", 10, 12),
                window, Map.of("iad", 1), NOW);
        assertThat(d).singleElement().satisfies(x -> {
            assertThat(x.to()).isEqualTo(5);
            assertThat(x.message()).contains("30 connections open at iad, 7 per instance");
        });
    }
}
