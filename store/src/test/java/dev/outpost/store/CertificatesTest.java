package dev.outpost.store;

import static dev.outpost.store.TestRecords.at;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Certificates}' contract, run against each dialect by a subclass that says where a fresh database is. */
abstract class CertificatesTest {
    protected Store store;
    private Certificates certificates;

    protected abstract String freshUrl() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = Store.open(freshUrl());
        certificates = store.certificates();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void putStoresOneCertificatePerHostAndBumpsTheIndex() {
        long before = store.index();
        Certificates.Stored first = new Certificates.Stored("app.example.com", "chain-1", "sealed-1", at(1000), at(1));
        Certificates.Stored second = new Certificates.Stored("app.example.com", "chain-2", "sealed-2", at(2000), at(2));

        certificates.put(first);
        certificates.put(second);
        certificates.put(new Certificates.Stored("*.example.org", "chain-3", "sealed-3", at(3000), at(3)));

        assertThat(store.index()).isEqualTo(before + 3);
        assertThat(certificates.list()).extracting(Certificates.Stored::host).containsExactly("*.example.org", "app.example.com");
        assertThat(certificates.find("app.example.com")).contains(second);
    }

    @Test
    void removeDeletesAndSaysWhetherThereWasOne() {
        certificates.put(new Certificates.Stored("app.example.com", "chain", "sealed", at(1000), at(1)));
        long before = store.index();

        assertThat(certificates.remove("app.example.com")).isTrue();
        assertThat(certificates.remove("app.example.com")).isFalse();

        assertThat(certificates.list()).isEmpty();
        assertThat(store.index()).isEqualTo(before + 1);
    }
}
