package dev.outpost.store;

import static dev.outpost.store.TestRecords.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Addresses}' contract, run against each dialect by a subclass that says where a fresh database is. */
abstract class AddressesTest {
    protected Store store;
    private Addresses addresses;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        addresses = store.addresses();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void appsGetTheSmallestFreeOffsetAndKeepIt() {
        store.createApp("db", "iad", at(0));
        store.createApp("cache", "iad", at(0));
        long before = store.index();

        assertThat(addresses.allocate("db", at(1))).isEqualTo(1);
        assertThat(store.index()).isGreaterThan(before);
        assertThat(addresses.allocate("cache", at(1))).isEqualTo(2);
        long afterBoth = store.index();

        assertThat(addresses.allocate("db", at(2))).as("stable for the app's life").isEqualTo(1);
        assertThat(store.index()).as("an existing offset is not news").isEqualTo(afterBoth);
        assertThat(addresses.find("db")).isEqualTo(OptionalInt.of(1));
        assertThat(addresses.find("web")).isEmpty();
        assertThat(addresses.all()).containsExactly(java.util.Map.entry("cache", 2), java.util.Map.entry("db", 1));
    }

    @Test
    void destroyingAnAppFreesItsOffsetForTheNextApp() {
        store.createApp("db", "iad", at(0));
        store.createApp("cache", "iad", at(0));
        store.createApp("queue", "iad", at(0));
        addresses.allocate("db", at(1));
        addresses.allocate("cache", at(1));

        assertThat(store.deleteApp("db")).isTrue();

        assertThat(addresses.find("db")).isEmpty();
        assertThat(addresses.allocate("queue", at(2))).as("the hole left by db").isEqualTo(1);
        assertThat(addresses.allocate("db2", at(2))).isEqualTo(3);
    }

    @Test
    void the255thAppGetsAClearError() {
        for (int i = 1; i <= Addresses.LAST; i++) {
            assertThat(addresses.allocate("app" + i, at(0))).isEqualTo(i);
        }

        assertThatThrownBy(() -> addresses.allocate("one-too-many", at(0)))
                .isInstanceOf(StoreException.Conflict.class)
                .hasMessageContaining("no dedicated address left for app one-too-many")
                .hasMessageContaining("all 254 offsets");
        assertThat(addresses.find("one-too-many")).isEmpty();
    }
}
