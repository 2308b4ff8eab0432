package dev.outpost.store;

import static dev.outpost.store.TestRecords.T0;
import static dev.outpost.store.TestRecords.fullConfig;
import static dev.outpost.store.TestRecords.newInstance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Scheduling}'s contract, run against each dialect by a subclass (as {@link StoreTest}). */
abstract class SchedulingTest {
    protected Store store;
    protected Scheduling scheduling;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        scheduling = store.scheduling();
        store.createApp("hello", "iad", T0);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void activateSwitchesReleaseAndRetiresTheOldSetInOneIndexBump() {
        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        store.updateRelease("hello", 1, ReleaseStatus.ACTIVE, "v1 is serving", null);
        store.setCurrentRelease("hello", 1);
        store.createRelease("hello", "sha256:2", fullConfig("hello"), T0, null);
        store.insertInstance(newInstance("old-1", "hello", 1, "h1"));
        store.insertInstance(newInstance("old-2", "hello", 1, "h1"));
        store.insertInstance(newInstance("new-1", "hello", 2, "h1"));
        long before = store.index();

        scheduling.activate("hello", 2, "v2 is serving", List.of("old-1", "old-2"));

        assertThat(store.index()).isEqualTo(before + 1);
        assertThat(store.findApp("hello").orElseThrow().currentRelease()).isEqualTo(2);
        assertThat(store.findRelease("hello", 2).orElseThrow().status()).isEqualTo(ReleaseStatus.ACTIVE);
        assertThat(store.findRelease("hello", 2).orElseThrow().message()).isEqualTo("v2 is serving");
        Release v1 = store.findRelease("hello", 1).orElseThrow();
        assertThat(v1.status()).isEqualTo(ReleaseStatus.SUPERSEDED);
        assertThat(v1.message()).isEqualTo("replaced by v2");
        assertThat(store.findInstance("old-1").orElseThrow().desired()).isEqualTo(DesiredState.DESTROYED);
        assertThat(store.findInstance("old-2").orElseThrow().desired()).isEqualTo(DesiredState.DESTROYED);
        assertThat(store.findInstance("new-1").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);

        scheduling.activate("hello", 2, "v2 is serving", List.of("old-1"));
        assertThat(store.index()).as("activating again changes nothing").isEqualTo(before + 1);
    }

    @Test
    void activateTheFirstReleaseClearsNothingElse() {
        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        scheduling.activate("hello", 1, "v1 is serving", List.of());
        assertThat(store.findApp("hello").orElseThrow().currentRelease()).isEqualTo(1);
        assertThat(store.findRelease("hello", 1).orElseThrow().status()).isEqualTo(ReleaseStatus.ACTIVE);
        assertThatThrownBy(() -> scheduling.activate("hello", 9, "no", List.of()))
                .isInstanceOf(StoreException.NotFound.class).hasMessageContaining("release hello v9");
    }

    @Test
    void deployingListsOnlyReleasesStillDeploying() {
        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        store.createRelease("hello", "sha256:2", fullConfig("hello"), T0, null);
        store.updateRelease("hello", 1, ReleaseStatus.FAILED, "failed", new DeployFailure("x", null, null, null, null, List.of()));
        assertThat(scheduling.deploying()).extracting(Release::version).containsExactly(2);
    }

    @Test
    void restartStopsWithAMarkAndFinishingStartsAgain() {
        store.insertInstance(newInstance("i1", "hello", 1, "h1"));
        long before = store.index();

        scheduling.requestRestart("i1");

        assertThat(store.index()).isEqualTo(before + 1);
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
        assertThat(scheduling.restartsRequested()).containsExactly("i1");

        assertThat(scheduling.finishRestart("i1")).isTrue();
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(scheduling.restartsRequested()).isEmpty();
        assertThat(scheduling.finishRestart("i1")).as("nothing pending any more").isFalse();
    }

    @Test
    void aStopAfterARestartCancelsIt() {
        store.insertInstance(newInstance("i1", "hello", 1, "h1"));
        scheduling.requestRestart("i1");

        scheduling.changeDesired("i1", DesiredState.STOPPED);

        assertThat(scheduling.restartsRequested()).isEmpty();
        assertThat(scheduling.finishRestart("i1")).isFalse();
        assertThat(store.findInstance("i1").orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
    }

    @Test
    void changeDesiredBumpsOnlyWhenSomethingChanges() {
        store.insertInstance(newInstance("i1", "hello", 1, "h1"));
        long before = store.index();
        assertThat(scheduling.changeDesired("i1", DesiredState.RUNNING).desired()).isEqualTo(DesiredState.RUNNING);
        assertThat(store.index()).isEqualTo(before);
        assertThat(scheduling.changeDesired("i1", DesiredState.STOPPED).desired()).as("returns the instance before").isEqualTo(DesiredState.RUNNING);
        assertThat(store.index()).isEqualTo(before + 1);
    }

    @Test
    void aDestroyedInstanceCannotBeChangedAndAnUnknownOneIsNotFound() {
        store.insertInstance(newInstance("i1", "hello", 1, "h1"));
        scheduling.changeDesired("i1", DesiredState.DESTROYED);

        assertThatThrownBy(() -> scheduling.changeDesired("i1", DesiredState.RUNNING))
                .isInstanceOf(StoreException.Conflict.class).hasMessageContaining("instance i1 is being destroyed");
        assertThatThrownBy(() -> scheduling.requestRestart("i1")).isInstanceOf(StoreException.Conflict.class);
        assertThatThrownBy(() -> scheduling.requestRestart("nope"))
                .isInstanceOf(StoreException.NotFound.class).hasMessageContaining("instance nope does not exist");
    }
}
