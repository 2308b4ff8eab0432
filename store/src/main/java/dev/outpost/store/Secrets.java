package dev.outpost.store;

import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Apps' secrets, sealed (the store never sees a value in plain text), in versions: every change
 * writes the app's whole next set. Also what each release runs beyond its artifact and config —
 * its secrets version and a note saying why it was made ("rollback to v3") — written in the same
 * transaction as the release, so no instance of it can start before its secrets are pinned.
 * Reached through {@link Store#secrets()}.
 */
public final class Secrets {
    /** Version 0: no secrets were ever set. */
    public static final int NONE = 0;

    private final Store store;

    Secrets(Store store) {
        this.store = store;
    }

    /** One secret as stored: its name, its sealed value and when that value was set. */
    public record Sealed(String name, String sealed, Instant updatedAt) {
        @Override
        public String toString() {
            return "Sealed[" + name + ", updated " + updatedAt + "]";
        }
    }

    /** A version of an app's secrets, by name ({@link #NONE} with no secrets before the first change). */
    public record SecretSet(int version, List<Sealed> secrets) {
        public SecretSet {
            secrets = List.copyOf(secrets);
        }

        public Optional<Sealed> find(String name) {
            return secrets.stream().filter(s -> s.name().equals(name)).findFirst();
        }
    }

    /** A release to create: its artifact, config, deploy deadline and why it is made (null: an ordinary deploy). */
    public record NewRelease(String artifactDigest, AppConfig config, Instant deadline, String note) {}

    /** What a release runs beyond its artifact and config. */
    public record Origin(int secretsVersion, String note) {}

    /** The app's newest secrets. */
    public SecretSet current(String app) {
        return store.read("secrets " + app, h -> set(h, app, currentVersion(h, app)));
    }

    /**
     * The secrets release {@code release} runs: the version pinned when it was made; for a release
     * made without a pin (before secrets existed, or through {@link Store#createRelease}), the version
     * that was newest when it was created.
     */
    public SecretSet ofRelease(String app, int release) {
        return store.read("secrets of " + app + " v" + release, h -> {
            Optional<Integer> pinned = h.createQuery("SELECT secrets_version FROM release_origins WHERE app = :app AND version = :v")
                    .bind("app", app).bind("v", release).mapTo(Integer.class).findOne();
            if (pinned.isPresent()) {
                return set(h, app, pinned.get());
            }
            int version = h.createQuery("""
                            SELECT COALESCE(MAX(s.version), 0) FROM secret_versions s, releases r
                            WHERE s.app = :app AND r.app = :app AND r.version = :v AND s.created_at <= r.created_at""")
                    .bind("app", app).bind("v", release).mapTo(Integer.class).one();
            return set(h, app, version);
        });
    }

    /** Why each of the app's releases was made, by version, for the releases made with a note. */
    public Map<Integer, String> notes(String app) {
        return store.read("release notes " + app, h -> {
            Map<Integer, String> notes = new TreeMap<>();
            h.createQuery("SELECT version, note FROM release_origins WHERE app = :app AND note IS NOT NULL")
                    .bind("app", app)
                    .map((rs, ctx) -> Map.entry(rs.getInt("version"), rs.getString("note")))
                    .forEach(e -> notes.put(e.getKey(), e.getValue()));
            return notes;
        });
    }

    /** The pinned secrets version and note of a release, when it was made with one. */
    public Optional<Origin> origin(String app, int release) {
        return store.read("release origin " + app + " v" + release, h -> h.createQuery(
                        "SELECT secrets_version, note FROM release_origins WHERE app = :app AND version = :v")
                .bind("app", app).bind("v", release)
                .map((rs, ctx) -> new Origin(rs.getInt("secrets_version"), rs.getString("note")))
                .findOne());
    }

    /**
     * Writes {@code next} as the app's next secrets version and, when {@code release} is not null,
     * creates a release running it, in one transaction. {@code expectedVersion} is the version
     * {@code next} was computed from: a change in between (another writer) is a conflict, so no
     * change is silently lost.
     *
     * @return the release made, if one was asked for
     * @throws StoreException.NotFound when there is no such app
     * @throws StoreException.Conflict when the current version is not {@code expectedVersion}
     */
    public Optional<Release> replace(String app, int expectedVersion, List<Sealed> next, Instant now, NewRelease release) {
        return store.write("replace secrets " + app, tx -> {
            Handle h = tx.handle();
            requireApp(h, app);
            int current = currentVersion(h, app);
            if (current != expectedVersion) {
                throw new StoreException.Conflict("secrets of " + app + " changed meanwhile (now version " + current
                        + ", expected " + expectedVersion + ")");
            }
            int version = current + 1;
            h.createUpdate("INSERT INTO secret_versions (app, version, created_at) VALUES (:app, :v, :at)")
                    .bind("app", app).bind("v", version).bind("at", Rows.millis(now)).execute();
            for (Sealed s : next) {
                h.createUpdate("""
                                INSERT INTO secrets (app, version, name, sealed, updated_at)
                                VALUES (:app, :v, :name, :sealed, :at)""")
                        .bind("app", app).bind("v", version).bind("name", s.name()).bind("sealed", s.sealed())
                        .bind("at", Rows.millis(s.updatedAt()))
                        .execute();
            }
            tx.markChanged();
            return release == null ? Optional.<Release>empty() : Optional.of(insertRelease(h, app, release, now, version));
        });
    }

    /**
     * Creates the app's next release, {@code deploying}, running the app's current secrets, with
     * {@code release.note()} as why it was made. Versions come from the same counter as
     * {@link Store#createRelease}.
     *
     * @throws StoreException.NotFound when there is no such app
     */
    public Release createRelease(String app, NewRelease release, Instant now) {
        return store.write("createRelease " + app, tx -> {
            Handle h = tx.handle();
            requireApp(h, app);
            Release created = insertRelease(h, app, release, now, currentVersion(h, app));
            tx.markChanged();
            return created;
        });
    }

    // ---- private

    private static Release insertRelease(Handle h, String app, NewRelease release, Instant now, int secretsVersion) {
        // Same counter and row as Store.createRelease: increment first, so the row lock orders writers.
        h.createUpdate("UPDATE apps SET release_seq = release_seq + 1 WHERE name = :name").bind("name", app).execute();
        int version = h.createQuery("SELECT release_seq FROM apps WHERE name = :name").bind("name", app).mapTo(Integer.class).one();
        h.createUpdate("""
                        INSERT INTO releases (app, version, artifact_digest, config_json, status, message, failure_json,
                                              created_at, deadline)
                        VALUES (:app, :version, :digest, :config, :status, NULL, NULL, :createdAt, :deadline)""")
                .bind("app", app)
                .bind("version", version)
                .bind("digest", release.artifactDigest())
                .bind("config", JsonText.write(release.config()))
                .bind("status", ReleaseStatus.DEPLOYING.wire())
                .bind("createdAt", Rows.millis(now))
                .bind("deadline", Rows.millis(release.deadline()))
                .execute();
        h.createUpdate("""
                        INSERT INTO release_origins (app, version, secrets_version, note)
                        VALUES (:app, :version, :secrets, :note)""")
                .bind("app", app).bind("version", version).bind("secrets", secretsVersion).bind("note", release.note())
                .execute();
        return h.createQuery("SELECT * FROM releases WHERE app = :app AND version = :version")
                .bind("app", app).bind("version", version).map(Rows.RELEASE).one();
    }

    private static int currentVersion(Handle h, String app) {
        return h.createQuery("SELECT COALESCE(MAX(version), 0) FROM secret_versions WHERE app = :app")
                .bind("app", app).mapTo(Integer.class).one();
    }

    private static SecretSet set(Handle h, String app, int version) {
        List<Sealed> secrets = h.createQuery("SELECT name, sealed, updated_at FROM secrets WHERE app = :app AND version = :v ORDER BY name")
                .bind("app", app).bind("v", version)
                .map((rs, ctx) -> new Sealed(rs.getString("name"), rs.getString("sealed"),
                        Instant.ofEpochMilli(rs.getLong("updated_at"))))
                .list();
        return new SecretSet(version, secrets);
    }

    private static void requireApp(Handle h, String app) {
        boolean exists = h.createQuery("SELECT COUNT(*) FROM apps WHERE name = :name").bind("name", app).mapTo(Long.class).one() > 0;
        if (!exists) {
            throw new StoreException.NotFound("app " + app + " does not exist");
        }
    }
}
