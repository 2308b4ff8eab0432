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
import org.junit.jupiter.api.Test;

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
}
