package dev.outpost.server.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulerTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final AppConfig CONFIG = new AppConfig("web", "iad", new AppConfig.Build(null, null, List.of("run")), Map.of(),
            List.of(), null, new AppConfig.Deploy("rolling", 0.33, Duration.ofMinutes(1)), null, null);
    static final List<Host> HOSTS = List.of(
            new Host("iad-1", "iad", "127.1.1.1", 2048, NOW), new Host("iad-2", "iad", "127.1.1.2", 2048, NOW),
            new Host("syd-1", "syd", "127.3.1.1", 2048, NOW));

    final Scheduler scheduler = new Scheduler();
    int seq;

    static App app(Map<String, Integer> scale, Integer current) {
        return new App("web", "iad", scale, current, NOW);
    }

    static Release release(int v, ReleaseStatus status) {
        return new Release("web", v, "sha256:" + "a".repeat(64), CONFIG, status, null, null, NOW, NOW.plusSeconds(60));
    }

    /** A release deploying with {@code strategy} and {@code maxUnavailable}, deadline a minute after NOW. */
    static Release release(int v, ReleaseStatus status, String strategy, double maxUnavailable) {
        AppConfig config = new AppConfig("web", "iad", CONFIG.build(), Map.of(), List.of(), null,
                new AppConfig.Deploy(strategy, maxUnavailable, Duration.ofMinutes(1)), null, null);
        return new Release("web", v, "sha256:" + "a".repeat(64), config, status, null, null, NOW, NOW.plusSeconds(60));
    }

    Instance pending(int release, String region, String host) {
        return instance(release, region, host, InstanceState.STARTING, Health.UNKNOWN);
    }

    Instance stopped(int release, String region, String host) {
        return new Instance("i" + (++seq), "web", release, region, host, null, null, InstanceState.STOPPED, DesiredState.STOPPED,
                Health.UNKNOWN, null, null, 0, List.of(), NOW.plusSeconds(seq), NOW);
    }

    Instance instance(int release, String region, String host, InstanceState state, Health health) {
        return new Instance("i" + (++seq), "web", release, region, host, "127.1.1.1", 9000 + seq, state, DesiredState.RUNNING,
                health, null, null, 0, List.of(), NOW.plusSeconds(seq), NOW);
    }

    Instance healthy(int release, String region, String host) {
        return instance(release, region, host, InstanceState.STARTED, Health.PASSING);
    }

    Plan plan(App app, List<Release> releases, List<Instance> instances, Instant now) {
        return scheduler.plan(new ClusterView(List.of(app), Map.of("web", releases), HOSTS, instances, now));
    }

    @Test
    void firstDeployPlacesEveryInstanceAtOnceSpreadAcrossHosts() {
        Plan plan = plan(app(Map.of("iad", 2, "syd", 1), null), List.of(release(1, ReleaseStatus.DEPLOYING)), List.of(), NOW);
        assertThat(plan.placements()).extracting(Plan.Placement::region).containsExactlyInAnyOrder("iad", "iad", "syd");
        assertThat(plan.placements()).filteredOn(p -> p.region().equals("iad")).extracting(Plan.Placement::hostId)
                .containsExactlyInAnyOrder("iad-1", "iad-2");
        assertThat(plan.outcomes()).isEmpty();
    }

    @Test
    void releaseBecomesActiveOnceEveryRegionRunsItsHealthyCount() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), healthy(1, "iad", "iad-2"), healthy(1, "syd", "syd-1"));
        Plan plan = plan(app(Map.of("iad", 2, "syd", 1), null), List.of(release(1, ReleaseStatus.DEPLOYING)), live, NOW);
        assertThat(plan.placements()).isEmpty();
        assertThat(plan.outcomes()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(ReleaseStatus.ACTIVE));
    }

    @Test
    void notYetHealthyInstancesKeepTheReleaseDeploying() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), instance(1, "syd", "syd-1", InstanceState.STARTING, Health.UNKNOWN));
        Plan plan = plan(app(Map.of("iad", 1, "syd", 1), null), List.of(release(1, ReleaseStatus.DEPLOYING)), live, NOW);
        assertThat(plan.outcomes()).isEmpty();
        assertThat(plan.placements()).isEmpty();
    }

    @Test
    void rollingDeployStartsOneNewInstanceAndKeepsEveryOldOneUntilItIsHealthy() {
        List<Instance> old = List.of(healthy(1, "iad", "iad-1"), healthy(1, "iad", "iad-2"));
        Plan first = plan(app(Map.of("iad", 2), 1), List.of(release(2, ReleaseStatus.DEPLOYING), release(1, ReleaseStatus.ACTIVE)), old, NOW);
        assertThat(first.placements()).singleElement().satisfies(p -> assertThat(p.release()).isEqualTo(2));
        assertThat(first.desiredChanges()).isEmpty();

        List<Instance> withPending = new ArrayList<>(old);
        withPending.add(instance(2, "iad", "iad-1", InstanceState.STARTING, Health.UNKNOWN));
        Plan waiting = plan(app(Map.of("iad", 2), 1), List.of(release(2, ReleaseStatus.DEPLOYING), release(1, ReleaseStatus.ACTIVE)), withPending, NOW);
        assertThat(waiting.placements()).isEmpty();
        assertThat(waiting.desiredChanges()).isEmpty();
    }

    @Test
    void aHealthyNewInstanceRetiresExactlyOneOldOneAndTheNextNewOneStarts() {
        List<Instance> live = new ArrayList<>(List.of(healthy(1, "iad", "iad-1"), healthy(1, "iad", "iad-2")));
        live.add(healthy(2, "iad", "iad-1"));
        Plan plan = plan(app(Map.of("iad", 2), 1), List.of(release(2, ReleaseStatus.DEPLOYING), release(1, ReleaseStatus.ACTIVE)), live, NOW);
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> {
            assertThat(c.desired()).isEqualTo(DesiredState.DESTROYED);
            assertThat(c.instanceId()).isIn("i1", "i2");
        });
        assertThat(plan.placements()).singleElement().satisfies(p -> assertThat(p.release()).isEqualTo(2));
        assertThat(plan.outcomes()).isEmpty();
    }

    @Test
    void crashLoopingNewInstanceFailsTheDeployAndLeavesTheOldReleaseServing() {
        Instance crashing = new Instance("new", "web", 2, "iad", "iad-1", null, null, InstanceState.FAILED, DesiredState.RUNNING,
                Health.UNKNOWN, 3, "exited with code 3", 2, List.of("boom"), NOW, NOW);
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), crashing);
        Plan plan = plan(app(Map.of("iad", 1), 1), List.of(release(2, ReleaseStatus.DEPLOYING), release(1, ReleaseStatus.ACTIVE)), live, NOW);
        assertThat(plan.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(ReleaseStatus.FAILED);
            assertThat(o.failure().exitCode()).isEqualTo(3);
            assertThat(o.failure().logTail()).containsExactly("boom");
            assertThat(o.message()).contains("exited with code 3");
        });
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> {
            assertThat(c.instanceId()).isEqualTo("new");
            assertThat(c.desired()).isEqualTo(DesiredState.DESTROYED);
        });
        assertThat(plan.placements()).isEmpty();
    }

    @Test
    void aFirstCrashIsRetriedNotFailed() {
        Instance crashed = new Instance("new", "web", 2, "iad", "iad-1", null, null, InstanceState.FAILED, DesiredState.RUNNING,
                Health.UNKNOWN, 1, "exited with code 1", 0, List.of(), NOW, NOW);
        Plan plan = plan(app(Map.of("iad", 1), 1), List.of(release(2, ReleaseStatus.DEPLOYING), release(1, ReleaseStatus.ACTIVE)),
                List.of(healthy(1, "iad", "iad-1"), crashed), NOW);
        assertThat(plan.outcomes()).isEmpty();
    }

    @Test
    void deadlinePassedWithAFailingCheckFailsTheDeployNamingTheCheck() {
        Instance sick = new Instance("new", "web", 2, "iad", "iad-1", "127.1.1.1", 9000, InstanceState.STARTED, DesiredState.RUNNING,
                Health.FAILING, null, "GET /healthz → 500", 0, List.of(), NOW, NOW);
        Plan plan = plan(app(Map.of("iad", 1), 1), List.of(release(2, ReleaseStatus.DEPLOYING), release(1, ReleaseStatus.ACTIVE)),
                List.of(healthy(1, "iad", "iad-1"), sick), NOW.plusSeconds(61));
        assertThat(plan.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(ReleaseStatus.FAILED);
            assertThat(o.failure().check()).isEqualTo("GET /healthz → 500");
            assertThat(o.message()).contains("not healthy within 1m");
        });
    }

    @Test
    void regionWithoutAgentFailsAtTheDeadlineSayingSo() {
        Plan plan = plan(app(Map.of("ams", 1), null), List.of(release(1, ReleaseStatus.DEPLOYING)), List.of(), NOW.plusSeconds(61));
        assertThat(plan.outcomes()).singleElement().satisfies(o -> assertThat(o.message()).contains("no agent runs in region ams"));
    }

    @Test
    void scalingARegionToZeroDestroysItsInstances() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), healthy(1, "syd", "syd-1"));
        Plan plan = plan(app(Map.of("iad", 1, "syd", 0), 1), List.of(release(1, ReleaseStatus.ACTIVE)), live, NOW);
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> assertThat(c.instanceId()).isEqualTo(live.get(1).id()));
        assertThat(plan.placements()).isEmpty();
    }

    @Test
    void scalingDownRemovesUnhealthyInstancesFirst() {
        Instance sick = instance(1, "iad", "iad-2", InstanceState.STARTED, Health.FAILING);
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), sick);
        Plan plan = plan(app(Map.of("iad", 1), 1), List.of(release(1, ReleaseStatus.ACTIVE)), live, NOW);
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> assertThat(c.instanceId()).isEqualTo(sick.id()));
    }

    @Test
    void aNewerDeploySupersedesOneStillInProgress() {
        Plan plan = plan(app(Map.of("iad", 1), 1), List.of(release(3, ReleaseStatus.DEPLOYING), release(2, ReleaseStatus.DEPLOYING),
                release(1, ReleaseStatus.ACTIVE)), List.of(healthy(1, "iad", "iad-1")), NOW);
        assertThat(plan.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.version()).isEqualTo(2);
            assertThat(o.status()).isEqualTo(ReleaseStatus.SUPERSEDED);
        });
        assertThat(plan.placements()).singleElement().satisfies(p -> assertThat(p.release()).isEqualTo(3));
    }

    @Test
    void destroyedInstancesReportedGoneArePurged() {
        Instance gone = new Instance("gone", "web", 1, "iad", "iad-1", null, null, InstanceState.DESTROYED, DesiredState.DESTROYED,
                Health.UNKNOWN, null, null, 0, List.of(), NOW, NOW);
        Plan plan = plan(app(Map.of("iad", 0), 1), List.of(release(1, ReleaseStatus.ACTIVE)), List.of(gone), NOW);
        assertThat(plan.purges()).containsExactly("gone");
    }

    @Test
    void instancesOfAnAppThatNoLongerExistsAreDestroyed() {
        Instance orphan = healthy(1, "iad", "iad-1");
        Plan plan = scheduler.plan(new ClusterView(List.of(), Map.of(), HOSTS, List.of(orphan), NOW));
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> assertThat(c.desired()).isEqualTo(DesiredState.DESTROYED));
    }

    // ---- strategies

    static List<Release> deploying(String strategy, double maxUnavailable) {
        return List.of(release(2, ReleaseStatus.DEPLOYING, strategy, maxUnavailable), release(1, ReleaseStatus.ACTIVE));
    }

    @ParameterizedTest(name = "max_unavailable {0} of {1} → {2} pending at once")
    @CsvSource({"0.33, 3, 1", "0.33, 10, 3", "0.5, 4, 2", "0.1, 1, 1", "0.99, 2, 1", "1.0, 5, 1", "2, 5, 2", "3, 2, 3"})
    void maxUnavailableIsAFractionRoundedDownButAtLeastOneOrAWholeCount(double maxUnavailable, int desired, int batch) {
        assertThat(DeployStrategy.batch(new AppConfig.Deploy("rolling", maxUnavailable, Duration.ofMinutes(1)), desired)).isEqualTo(batch);
    }

    /**
     * One row per strategy and moment of a deploy of v2 over four healthy v1 instances in iad:
     * the new instances there (healthy, pending), and what the pass places and destroys.
     */
    @ParameterizedTest(name = "{0}: {1} healthy + {2} pending new → place {3}, destroy {4} old")
    @CsvSource({
            // strategy, healthy new, pending new, placed, old destroyed
            "rolling,    0, 0, 2, 0",   // max_unavailable 0.5 of 4: two pending at once
            "rolling,    0, 2, 0, 0",   // both pending: wait, nothing old goes
            "rolling,    1, 1, 1, 1",   // one healthy: one old goes, one more starts
            "rolling,    3, 1, 0, 3",
            "rolling,    4, 0, 0, 4",
            "immediate,  0, 0, 4, 0",   // every new instance at once
            "immediate,  2, 2, 0, 2",   // old ones go as new ones are healthy
            "immediate,  4, 0, 0, 4",
            "bluegreen,  0, 0, 4, 0",   // a full new set at once
            "bluegreen,  3, 1, 0, 0",   // old set kept whole until every new one is healthy
            "canary,     0, 0, 1, 0",   // one new instance first
            "canary,     0, 1, 0, 0",   // and nothing more while it is pending
            "canary,     1, 0, 2, 1",   // healthy: rolling for the rest (two pending at once)
    })
    void strategiesPlaceAndRetireByTheirRules(String strategy, int healthyNew, int pendingNew, int placed, int destroyed) {
        List<Instance> live = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            live.add(healthy(1, "iad", k % 2 == 0 ? "iad-1" : "iad-2"));
        }
        for (int k = 0; k < healthyNew; k++) {
            live.add(healthy(2, "iad", "iad-1"));
        }
        for (int k = 0; k < pendingNew; k++) {
            live.add(pending(2, "iad", "iad-2"));
        }
        Plan plan = plan(app(Map.of("iad", 4), 1), deploying(strategy, 0.5), live, NOW);
        assertThat(plan.placements()).hasSize(placed).allSatisfy(p -> assertThat(p.release()).isEqualTo(2));
        assertThat(plan.desiredChanges()).hasSize(destroyed).allSatisfy(c -> {
            assertThat(c.desired()).isEqualTo(DesiredState.DESTROYED);
            assertThat(live.stream().filter(i -> i.id().equals(c.instanceId())).findFirst().orElseThrow().release()).isEqualTo(1);
        });
        assertThat(plan.outcomes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rolling", "immediate", "canary"})
    void aDeployEndsActiveOnceOnlyHealthyNewInstancesRemain(String strategy) {
        List<Instance> live = List.of(healthy(2, "iad", "iad-1"), healthy(2, "iad", "iad-2"));
        Plan plan = plan(app(Map.of("iad", 2), 1), deploying(strategy, 0.5), live, NOW);
        assertThat(plan.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(ReleaseStatus.ACTIVE);
            assertThat(o.retire()).isEmpty();
        });
    }

    @Test
    void rollingKeepsTheReleaseDeployingWhileOldInstancesRemain() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), healthy(2, "iad", "iad-1"), healthy(2, "iad", "iad-2"));
        Plan plan = plan(app(Map.of("iad", 2), 1), deploying("rolling", 0.33), live, NOW);
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> assertThat(c.instanceId()).isEqualTo(live.get(0).id()));
        assertThat(plan.outcomes()).as("the old instance is still draining").isEmpty();
    }

    @Test
    void blueGreenPlacesAFullNewSetInEveryRegionAtOnce() {
        List<Instance> old = List.of(healthy(1, "iad", "iad-1"), healthy(1, "iad", "iad-2"), healthy(1, "syd", "syd-1"));
        Plan plan = plan(app(Map.of("iad", 2, "syd", 1), 1), deploying("bluegreen", 0.33), old, NOW);
        assertThat(plan.placements()).extracting(Plan.Placement::region).containsExactlyInAnyOrder("iad", "iad", "syd");
        assertThat(plan.desiredChanges()).isEmpty();
    }

    @Test
    void blueGreenWaitsForEveryRegionThenSwitchesAndRetiresTheOldSetInTheSameOutcome() {
        List<Instance> live = new ArrayList<>(List.of(healthy(1, "iad", "iad-1"), healthy(1, "syd", "syd-1"),
                healthy(2, "iad", "iad-2")));
        Instance sydNew = pending(2, "syd", "syd-1");
        live.add(sydNew);
        Plan waiting = plan(app(Map.of("iad", 1, "syd", 1), 1), deploying("bluegreen", 0.33), live, NOW);
        assertThat(waiting.outcomes()).as("syd's new instance is not healthy yet").isEmpty();
        assertThat(waiting.desiredChanges()).isEmpty();

        live.set(3, new Instance(sydNew.id(), "web", 2, "syd", "syd-1", "127.3.1.1", 9100, InstanceState.STARTED,
                DesiredState.RUNNING, Health.PASSING, null, null, 0, List.of(), sydNew.createdAt(), NOW));
        Plan switching = plan(app(Map.of("iad", 1, "syd", 1), 1), deploying("bluegreen", 0.33), live, NOW);
        assertThat(switching.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(ReleaseStatus.ACTIVE);
            assertThat(o.retire()).containsExactlyInAnyOrder(live.get(0).id(), live.get(1).id());
        });
        assertThat(switching.desiredChanges()).as("the old set goes with the switch, not before").isEmpty();
    }

    @Test
    void blueGreenRetiresOldInstancesOfARegionScaledToZeroOnlyAtTheSwitch() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), healthy(1, "syd", "syd-1"), pending(2, "iad", "iad-2"));
        Plan plan = plan(app(Map.of("iad", 1, "syd", 0), 1), deploying("bluegreen", 0.33), live, NOW);
        assertThat(plan.desiredChanges()).isEmpty();
        assertThat(plan.outcomes()).isEmpty();
    }

    @Test
    void canaryGoesToThePrimaryRegionFirst() {
        List<Instance> old = List.of(healthy(1, "iad", "iad-1"), healthy(1, "syd", "syd-1"));
        Plan plan = plan(new App("web", "syd", Map.of("iad", 1, "syd", 1), 1, NOW), deploying("canary", 0.33), old, NOW);
        assertThat(plan.placements()).singleElement().satisfies(p -> assertThat(p.region()).isEqualTo("syd"));
    }

    @Test
    void canaryGoesToTheFirstRegionWithACountWhenThePrimaryHasNone() {
        App app = new App("web", "iad", Map.of("iad", 0, "syd", 1, "ams", 1), 1, NOW);
        assertThat(Scheduler.canaryRegion(app)).isEqualTo("ams");
        List<Instance> old = List.of(healthy(1, "syd", "syd-1"));
        Plan plan = plan(new App("web", "iad", Map.of("iad", 0, "syd", 1), 1, NOW), deploying("canary", 0.33), old, NOW);
        assertThat(plan.placements()).singleElement().satisfies(p -> assertThat(p.region()).isEqualTo("syd"));
        assertThat(plan.desiredChanges()).isEmpty();
    }

    @Test
    void afterAHealthyCanaryEveryRegionRolls() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), healthy(1, "syd", "syd-1"), healthy(2, "iad", "iad-2"));
        Plan plan = plan(app(Map.of("iad", 1, "syd", 1), 1), deploying("canary", 0.33), live, NOW);
        assertThat(plan.placements()).singleElement().satisfies(p -> assertThat(p.region()).isEqualTo("syd"));
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> assertThat(c.instanceId()).isEqualTo(live.get(0).id()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rolling", "immediate", "bluegreen", "canary"})
    void newInstancesNotHealthyByTheDeadlineFailTheDeployAndTheOldOnesKeepServing(String strategy) {
        Instance sick = new Instance("new", "web", 2, "iad", "iad-2", "127.1.1.2", 9000, InstanceState.STARTED, DesiredState.RUNNING,
                Health.FAILING, null, "GET /healthz → 503: not ready", 0, List.of("listening on 8080"), NOW, NOW);
        Instance old = healthy(1, "iad", "iad-1");
        Plan plan = plan(app(Map.of("iad", 1), 1), deploying(strategy, 0.33), List.of(old, sick), NOW.plusSeconds(61));
        assertThat(plan.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(ReleaseStatus.FAILED);
            assertThat(o.message()).contains("not healthy within 1m").contains("GET /healthz → 503: not ready");
            assertThat(o.failure().check()).isEqualTo("GET /healthz → 503: not ready");
            assertThat(o.failure().logTail()).containsExactly("listening on 8080");
        });
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> {
            assertThat(c.instanceId()).isEqualTo("new");
            assertThat(c.desired()).isEqualTo(DesiredState.DESTROYED);
        });
        assertThat(plan.placements()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rolling", "immediate", "bluegreen", "canary"})
    void aCrashLoopingNewInstanceFailsTheDeployWithItsExitCode(String strategy) {
        Instance crashing = new Instance("new", "web", 2, "iad", "iad-2", null, null, InstanceState.FAILED, DesiredState.RUNNING,
                Health.UNKNOWN, 1, "exited with code 1", 2, List.of("panic"), NOW, NOW);
        Plan plan = plan(app(Map.of("iad", 1), 1), deploying(strategy, 0.33), List.of(healthy(1, "iad", "iad-1"), crashing), NOW);
        assertThat(plan.outcomes()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(ReleaseStatus.FAILED);
            assertThat(o.message()).contains("instance exited with code 1");
        });
        assertThat(plan.desiredChanges()).extracting(Plan.DesiredChange::instanceId).containsExactly("new");
    }

    // ---- stopped, restarted, destroyed instances

    @Test
    void aStoppedInstanceKeepsItsPlaceAndIsNotReplaced() {
        List<Instance> live = List.of(healthy(1, "iad", "iad-1"), stopped(1, "iad", "iad-2"));
        Plan plan = plan(app(Map.of("iad", 2), 1), List.of(release(1, ReleaseStatus.ACTIVE)), live, NOW);
        assertThat(plan.isEmpty()).as(plan.toString()).isTrue();
    }

    @Test
    void aDestroyedInstanceIsReplacedWhenItsRegionFallsBelowItsCount() {
        Instance gone = healthy(1, "iad", "iad-2").withDesired(DesiredState.DESTROYED);
        Plan plan = plan(app(Map.of("iad", 2), 1), List.of(release(1, ReleaseStatus.ACTIVE)), List.of(healthy(1, "iad", "iad-1"), gone), NOW);
        assertThat(plan.placements()).singleElement().satisfies(p -> {
            assertThat(p.region()).isEqualTo("iad");
            assertThat(p.release()).isEqualTo(1);
        });
    }

    @Test
    void scalingDownRemovesStoppedInstancesBeforeRunningOnes() {
        Instance off = stopped(1, "iad", "iad-2");
        Plan plan = plan(app(Map.of("iad", 1), 1), List.of(release(1, ReleaseStatus.ACTIVE)), List.of(healthy(1, "iad", "iad-1"), off), NOW);
        assertThat(plan.desiredChanges()).singleElement().satisfies(c -> assertThat(c.instanceId()).isEqualTo(off.id()));
    }

    @Test
    void aNewInstanceTheUserStoppedDoesNotHoldTheDeployBack() {
        List<Instance> live = List.of(healthy(2, "iad", "iad-1"), stopped(2, "iad", "iad-2"));
        Plan plan = plan(app(Map.of("iad", 2), 1), deploying("rolling", 0.33), live, NOW);
        assertThat(plan.outcomes()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(ReleaseStatus.ACTIVE));
    }

    @Test
    void aRestartStartsAgainOnlyOnceTheAgentReportsTheInstanceStopped() {
        Instance stopping = new Instance("r1", "web", 1, "iad", "iad-1", "127.1.1.1", 9000, InstanceState.STOPPING, DesiredState.STOPPED,
                Health.UNKNOWN, null, null, 0, List.of(), NOW, NOW);
        Instance stoppedNow = new Instance("r2", "web", 1, "iad", "iad-2", null, null, InstanceState.STOPPED, DesiredState.STOPPED,
                Health.UNKNOWN, null, null, 0, List.of(), NOW, NOW);
        Instance startedSince = healthy(1, "iad", "iad-1");
        Plan plan = scheduler.plan(new ClusterView(List.of(app(Map.of("iad", 3), 1)), Map.of("web", List.of(release(1, ReleaseStatus.ACTIVE))),
                HOSTS, List.of(stopping, stoppedNow, startedSince), Set.of("r1", "r2", startedSince.id()), NOW));
        assertThat(plan.restarts()).containsExactlyInAnyOrder("r2", startedSince.id());
        assertThat(plan.placements()).as("the restarting instances keep their places").isEmpty();
    }
}
