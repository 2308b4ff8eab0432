package dev.outpost.server.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure autostop decision: who is idle long enough, and who must keep running. */
class AutostopTest {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    static AppConfig.Scale scale(boolean autostop, boolean autostart, int minRunning, String after) {
        return new AppConfig.Scale(Map.of("iad", 3, "syd", 1), autostop, autostart, minRunning, null, Duration.parse("PT" + after));
    }

    static Instance instance(String id, String region, InstanceState state, DesiredState desired) {
        return new Instance(id, "web", 1, region, region + "-1", "10.0.0.1", 9000, state, desired, Health.PASSING, null, null, 0,
                List.of(), NOW.minusSeconds(3600), NOW.minusSeconds(3600));
    }

    static Instance started(String id, String region) {
        return instance(id, region, InstanceState.STARTED, DesiredState.RUNNING);
    }

    /** {@code "a=300,b=10"}: instance a idle for 300 s, b for 10 s. */
    static Map<String, Instant> idle(String spec) {
        Map<String, Instant> out = new HashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=");
            out.put(kv[0], NOW.minusSeconds(Long.parseLong(kv[1])));
        }
        return out;
    }

    @Test
    void anInstanceIdlePastAutostopAfterIsStoppedWithItsReason() {
        List<AutostopDecision> d = Autostop.decide(scale(true, true, 0, "5M"), List.of(started("i-a", "iad"), started("i-b", "iad")),
                idle("i-a=303,i-b=299"), NOW);
        assertThat(d).singleElement().satisfies(x -> {
            assertThat(x.instanceId()).isEqualTo("i-a");
            assertThat(x.region()).isEqualTo("iad");
            assertThat(x.idle()).isEqualTo(Duration.ofSeconds(303));
            assertThat(x.message()).isEqualTo("instance i-a in iad idle for 5m3s (autostop_after 5m); iad keeps 1 running"
                    + " (min_running 0); autostart starts it on the next request that needs it");
            assertThat(x.data()).containsEntry("instance", "i-a").containsEntry("region", "iad").containsEntry("idle_seconds", "303")
                    .containsEntry("running_left", "1").containsEntry("min_running", "0");
        });
        assertThat(Autostop.decide(scale(true, true, 0, "5M"), List.of(started("i-a", "iad")), idle("i-a=300"), NOW))
                .as("exactly autostop_after is enough").hasSize(1);
    }

    @Test
    void withoutAutostopNothingStops() {
        assertThat(Autostop.decide(scale(false, true, 0, "5M"), List.of(started("i-a", "iad")), idle("i-a=3600"), NOW)).isEmpty();
    }

    @Test
    void minRunningIsKeptInEachRegionLongestIdleGoingFirst() {
        List<Instance> all = List.of(started("i-1", "iad"), started("i-2", "iad"), started("i-3", "iad"), started("i-4", "syd"));
        List<AutostopDecision> d = Autostop.decide(scale(true, true, 1, "1M"), all, idle("i-1=100,i-2=400,i-3=200,i-4=900"), NOW);
        assertThat(d).extracting(AutostopDecision::instanceId).containsExactly("i-2", "i-3");
        assertThat(d).extracting(x -> x.data().get("running_left")).containsExactly("2", "1");
        assertThat(d.get(1).message()).contains("iad keeps 1 running (min_running 1)");

        assertThat(Autostop.decide(scale(true, true, 0, "1M"), all, idle("i-1=100,i-2=400,i-3=200,i-4=900"), NOW))
                .extracting(AutostopDecision::instanceId).as("min_running 0: every idle instance stops, longest idle first")
                .containsExactly("i-4", "i-2", "i-3", "i-1");
    }

    @Test
    void instancesComingUpCountTowardMinRunningButStoppedOrUnknownOnesDoNot() {
        List<Instance> all = List.of(started("i-1", "iad"), instance("i-2", "iad", InstanceState.STARTING, DesiredState.RUNNING),
                instance("i-3", "iad", InstanceState.STOPPED, DesiredState.STOPPED),
                instance("i-4", "iad", InstanceState.STARTED, DesiredState.STOPPED), started("i-5", "syd"));
        // i-2 is starting (counts toward min_running 1, is never stopped); i-3/i-4 are already stopped or stopping.
        assertThat(Autostop.decide(scale(true, true, 1, "1M"), all, idle("i-1=120,i-2=120,i-3=120,i-4=120"), NOW))
                .extracting(AutostopDecision::instanceId).as("i-5 has no idle timer yet, so it is not known idle").containsExactly("i-1");
        assertThat(Autostop.decide(scale(true, true, 2, "1M"), all, idle("i-1=120,i-5=120"), NOW)).isEmpty();
    }

    @Test
    void withoutAutostartTheAppKeepsItsLastInstance() {
        List<Instance> all = List.of(started("i-1", "iad"), started("i-2", "syd"));
        assertThat(Autostop.decide(scale(true, false, 0, "1M"), all, idle("i-1=500,i-2=90"), NOW))
                .extracting(AutostopDecision::instanceId).as("nothing would start it again: the least idle one stays")
                .containsExactly("i-1");
        assertThat(Autostop.decide(scale(true, false, 0, "1M"), all, idle("i-1=500,i-2=90"), NOW).get(0).message())
                .doesNotContain("autostart");
        assertThat(Autostop.decide(scale(true, false, 0, "1M"), List.of(started("i-1", "iad")), idle("i-1=500"), NOW)).isEmpty();
        assertThat(Autostop.decide(scale(true, true, 0, "1M"), all, idle("i-1=500,i-2=90"), NOW)).hasSize(2);
    }
}
