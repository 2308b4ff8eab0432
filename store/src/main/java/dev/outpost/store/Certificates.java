package dev.outpost.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * TLS certificates by host name: the public PEM chain and the private key sealed by the server (this
 * class never sees a key in plain text). One certificate per host; importing again replaces it.
 * Every change bumps the store's index, so edge proxies watching {@code /v1/certs/pem} with a
 * blocking query see it at once. Reached through {@link Store#certificates()}.
 */
public final class Certificates {
    private final Store store;

    Certificates(Store store) {
        this.store = store;
    }

    /** One certificate as stored. */
    public record Stored(String host, String chainPem, String sealedKey, Instant notAfter, Instant importedAt) {
        @Override
        public String toString() {
            return "Stored[" + host + ", expires " + notAfter + ", imported " + importedAt + "]";
        }
    }

    /** Every stored certificate, by host name. */
    public List<Stored> list() {
        return store.read("certificates", h -> h.createQuery(
                        "SELECT host, chain_pem, sealed_key, not_after, imported_at FROM certificates ORDER BY host")
                .map((rs, ctx) -> new Stored(rs.getString("host"), rs.getString("chain_pem"), rs.getString("sealed_key"),
                        Instant.ofEpochMilli(rs.getLong("not_after")), Instant.ofEpochMilli(rs.getLong("imported_at"))))
                .list());
    }

    public Optional<Stored> find(String host) {
        return list().stream().filter(c -> c.host().equals(host)).findFirst();
    }

    /** Stores {@code cert}, replacing the host's previous certificate in the same transaction. */
    public void put(Stored cert) {
        store.write("put certificate " + cert.host(), tx -> {
            tx.handle().createUpdate("DELETE FROM certificates WHERE host = :host").bind("host", cert.host()).execute();
            tx.handle().createUpdate("""
                            INSERT INTO certificates (host, chain_pem, sealed_key, not_after, imported_at)
                            VALUES (:host, :chain, :key, :notAfter, :at)""")
                    .bind("host", cert.host()).bind("chain", cert.chainPem()).bind("key", cert.sealedKey())
                    .bind("notAfter", Rows.millis(cert.notAfter())).bind("at", Rows.millis(cert.importedAt()))
                    .execute();
            tx.markChanged();
            return null;
        });
    }

    /** Removes the host's certificate; false when there was none. */
    public boolean remove(String host) {
        return store.write("remove certificate " + host, tx -> {
            int rows = tx.handle().createUpdate("DELETE FROM certificates WHERE host = :host").bind("host", host).execute();
            if (rows > 0) {
                tx.markChanged();
            }
            return rows > 0;
        });
    }
}
