package dev.outpost.server.autoscaler;

import dev.outpost.core.Durations;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The autostop decision, pure: a function of the app's {@code [scale]}, its instances, when each running
 * instance's current idle run began and the time, to the instances to stop.
 *
 * <ul>
 *   <li>an instance is a candidate when it is started and wanted running, and has been idle (no requests
 *       or connections, as the edges report them) for at least {@code autostop_after};</li>
 *   <li>each region keeps {@code min_running} of its instances that are up or coming up (the longest idle
 *       go first);</li>
 *   <li>an app without {@code autostart} keeps its last instance: nothing would start it again;</li>
 *   <li>stopping is {@code desired = stopped}, what {@code outpost instances stop} writes: the instance
 *       keeps its place, the scheduler does not replace it, and it is what autostart starts.</li>
 * </ul>
 */
public final class Autostop {
    private Autostop() {}

    /**
     * The instances to stop, longest idle first; empty when the app has no {@code autostop}.
     *
     * @param instances the app's instances (any state; destroyed and stopped ones are not counted as running)
     * @param idleSince per instance id, when its current idle run began; an instance missing is not known idle
     */
    public static List<AutostopDecision> decide(AppConfig.Scale scale, List<Instance> instances, Map<String, Instant> idleSince,
                                                Instant now) {
        if (!scale.autostop()) {
            return List.of();
        }
        Duration after = scale.autostopAfter();
        Map<String, List<Instance>> up = new TreeMap<>();
        for (Instance i : instances) {
            if (up(i)) {
                up.computeIfAbsent(i.region(), r -> new ArrayList<>()).add(i);
            }
        }
        int upTotal = up.values().stream().mapToInt(List::size).sum();
        Comparator<Instance> longestIdleFirst = Comparator.comparing((Instance i) -> idleSince.get(i.id())).thenComparing(Instance::id);
        List<AutostopDecision> decisions = new ArrayList<>();
        for (Map.Entry<String, List<Instance>> region : up.entrySet()) {
            List<Instance> idle = region.getValue().stream()
                    .filter(i -> i.state() == InstanceState.STARTED && idleSince.containsKey(i.id())
                            && !idleSince.get(i.id()).plus(after).isAfter(now))
                    .sorted(longestIdleFirst)
                    .toList();
            int left = region.getValue().size();
            for (Instance i : idle) {
                if (left <= scale.minRunning()) {
                    break;
                }
                left--;
                decisions.add(decision(scale, i, Duration.between(idleSince.get(i.id()), now), left));
            }
        }
        decisions.sort(Comparator.comparing(AutostopDecision::idle).reversed().thenComparing(AutostopDecision::instanceId));
        if (!scale.autostart() && !decisions.isEmpty() && decisions.size() >= upTotal) {
            // Nothing would start the app again: the least idle instance stays.
            decisions.remove(decisions.size() - 1);
        }
        return decisions;
    }

    /** Wanted running and up or on its way up: what {@code min_running} counts. */
    static boolean up(Instance i) {
        return i.desired() == DesiredState.RUNNING
                && (i.state() == InstanceState.STARTED || i.state() == InstanceState.STARTING || i.state() == InstanceState.CREATED);
    }

    private static AutostopDecision decision(AppConfig.Scale scale, Instance i, Duration idle, int left) {
        Duration shown = idle.truncatedTo(ChronoUnit.SECONDS);
        String reason = "instance " + i.id() + " in " + i.region() + " idle for " + Durations.format(shown)
                + " (autostop_after " + Durations.format(scale.autostopAfter()) + "); " + i.region() + " keeps " + left
                + " running (min_running " + scale.minRunning() + ")"
                + (scale.autostart() ? "; autostart starts it on the next request that needs it" : "");
        Map<String, String> data = new LinkedHashMap<>();
        data.put("instance", i.id());
        data.put("region", i.region());
        data.put("idle_seconds", Long.toString(shown.toSeconds()));
        data.put("running_left", Integer.toString(left));
        data.put("min_running", Integer.toString(scale.minRunning()));
        return new AutostopDecision(i.id(), i.region(), idle, reason, data);
    }
}
