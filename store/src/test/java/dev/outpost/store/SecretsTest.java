package dev.outpost.store;

import static dev.outpost.store.TestRecords.T0;
import static dev.outpost.store.TestRecords.at;
import static dev.outpost.store.TestRecords.fullConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Secrets}' contract, run against each dialect by a subclass that says where a fresh database is. */
abstract class SecretsTest {
    protected Store store;
    private Secrets secrets;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        secrets = store.secrets();
        store.createApp("hello", "iad", T0);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static Secrets.Sealed sealed(String name, String value, long at) {
        return new Secrets.Sealed(name, value, at(at));
    }

    private static Secrets.NewRelease release(String note) {
        return new Secrets.NewRelease("sha256:" + "a".repeat(64), fullConfig("hello"), at(120), note);
    }

    @Test
    void anAppWithoutSecretsIsAtVersionNone() {
        assertThat(secrets.current("hello")).isEqualTo(new Secrets.SecretSet(Secrets.NONE, List.of()));
    }

    @Test
    void replaceWritesTheNextVersionAndBumpsTheIndexOnce() {
        long before = store.index();

        assertThat(secrets.replace("hello", 0, List.of(sealed("B", "sealed-b", 1), sealed("A", "sealed-a", 1)), at(1), null)).isEmpty();

        assertThat(store.index()).isEqualTo(before + 1);
        Secrets.SecretSet current = secrets.current("hello");
        assertThat(current.version()).isEqualTo(1);
        assertThat(current.secrets()).containsExactly(sealed("A", "sealed-a", 1), sealed("B", "sealed-b", 1));
    }

    @Test
    void replaceWithAReleaseCreatesItPinnedToTheNewVersionWithItsNote() {
        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, at(60));

        Release made = secrets.replace("hello", 0, List.of(sealed("API_KEY", "s1", 5)), at(5), release("secrets changed: set API_KEY"))
                .orElseThrow();

        assertThat(made.version()).isEqualTo(2);
        assertThat(made.status()).isEqualTo(ReleaseStatus.DEPLOYING);
        assertThat(made.artifactDigest()).isEqualTo("sha256:" + "a".repeat(64));
        assertThat(made.config()).isEqualTo(fullConfig("hello"));
        assertThat(made.deadline()).isEqualTo(at(120));
        assertThat(secrets.origin("hello", 2)).contains(new Secrets.Origin(1, "secrets changed: set API_KEY"));
        assertThat(secrets.notes("hello")).isEqualTo(Map.of(2, "secrets changed: set API_KEY"));
        assertThat(secrets.ofRelease("hello", 2).secrets()).extracting(Secrets.Sealed::name).containsExactly("API_KEY");
    }

    @Test
    void oldReleasesKeepTheSecretsTheyWereMadeWith() {
        secrets.replace("hello", 0, List.of(sealed("K", "one", 1)), at(1), null);
        Release first = secrets.createRelease("hello", release(null), at(2));
        secrets.replace("hello", 1, List.of(sealed("K", "two", 3)), at(3), release("secrets changed: set K"));
        secrets.replace("hello", 2, List.of(), at(4), release("secrets changed: unset K"));

        assertThat(secrets.ofRelease("hello", first.version()).find("K")).hasValueSatisfying(s -> assertThat(s.sealed()).isEqualTo("one"));
        assertThat(secrets.ofRelease("hello", 2).find("K")).hasValueSatisfying(s -> assertThat(s.sealed()).isEqualTo("two"));
        assertThat(secrets.ofRelease("hello", 3).secrets()).isEmpty();
        assertThat(secrets.current("hello")).isEqualTo(new Secrets.SecretSet(3, List.of()));
    }

    @Test
    void aReleaseMadeWithoutAPinRunsTheSecretsNewestAtItsCreation() {
        Release before = store.createRelease("hello", "sha256:1", fullConfig("hello"), at(0), null);
        secrets.replace("hello", 0, List.of(sealed("K", "one", 10)), at(10), null);
        Release after = store.createRelease("hello", "sha256:1", fullConfig("hello"), at(20), null);
        secrets.replace("hello", 1, List.of(sealed("K", "two", 30)), at(30), null);

        assertThat(secrets.ofRelease("hello", before.version()).version()).isEqualTo(Secrets.NONE);
        assertThat(secrets.ofRelease("hello", after.version()).version()).isEqualTo(1);
        assertThat(secrets.origin("hello", after.version())).isEmpty();
    }

    @Test
    void releaseVersionsAreSharedWithOrdinaryReleases() {
        store.createRelease("hello", "sha256:1", fullConfig("hello"), T0, null);
        Release rollback = secrets.createRelease("hello", release("rollback to v1"), at(1));
        Release next = store.createRelease("hello", "sha256:2", fullConfig("hello"), at(2), null);

        assertThat(rollback.version()).isEqualTo(2);
        assertThat(next.version()).isEqualTo(3);
        assertThat(store.listReleases("hello")).extracting(Release::version).containsExactly(3, 2, 1);
    }

    @Test
    void aStaleExpectedVersionIsAConflictAndWritesNothing() {
        secrets.replace("hello", 0, List.of(sealed("K", "one", 1)), at(1), null);
        long index = store.index();

        assertThatThrownBy(() -> secrets.replace("hello", 0, List.of(sealed("K", "lost", 2)), at(2), release("x")))
                .isInstanceOf(StoreException.Conflict.class)
                .hasMessageContaining("secrets of hello changed meanwhile");

        assertThat(store.index()).isEqualTo(index);
        assertThat(store.listReleases("hello")).isEmpty();
        assertThat(secrets.current("hello").find("K").orElseThrow().sealed()).isEqualTo("one");
    }

    @Test
    void unknownAppIsNotFound() {
        assertThatThrownBy(() -> secrets.replace("nope", 0, List.of(), T0, null)).isInstanceOf(StoreException.NotFound.class)
                .hasMessageContaining("app nope");
        assertThatThrownBy(() -> secrets.createRelease("nope", release(null), T0)).isInstanceOf(StoreException.NotFound.class);
    }

    @Test
    void deletingTheAppDeletesItsSecretsAndOrigins() {
        secrets.replace("hello", 0, List.of(sealed("K", "one", 1)), at(1), release("secrets changed: set K"));

        store.deleteApp("hello");
        store.createApp("hello", "iad", at(5));

        assertThat(secrets.current("hello")).isEqualTo(new Secrets.SecretSet(Secrets.NONE, List.of()));
        assertThat(secrets.notes("hello")).isEmpty();
    }

    @Test
    void sealedValuesStayOutOfToString() {
        assertThat(sealed("K", "c2VhbGVk", 1).toString()).doesNotContain("c2VhbGVk").contains("K");
    }
}
