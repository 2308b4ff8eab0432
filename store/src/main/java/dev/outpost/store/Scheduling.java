package dev.outpost.store;

import dev.outpost.core.model.App;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * The writes of the scheduler and of the instance commands that must each be one transaction:
 * switching an app to a release (so one index bump flips every edge), and the restart mark of
 * {@code outpost instances restart}. Reached through {@link Store#scheduling()}.
 */
public final class Scheduling {
    private final Store store;

    Scheduling(Store store) {
        this.store = store;
    }

    /**
     * Makes {@code version} the app's serving release in one write: the previous current release
     * becomes {@code superseded}, {@code version} becomes {@code active} with {@code message}, and
     * every instance of {@code retire} gets {@code desired = destroyed}. Watchers see one index bump.
     *
     * @throws StoreException.NotFound when there is no such app or release
     */
    public void activate(String app, int version, String message, List<String> retire) {
        store.write("activate " + app + " v" + version, tx -> {
            Handle h = tx.handle();
            App current = h.createQuery("SELECT * FROM apps WHERE name = :name").bind("name", app).map(Rows.APP).findOne()
                    .orElseThrow(() -> new StoreException.NotFound("app " + app + " does not exist"));
            Release release = release(h, app, version).orElseThrow(() ->
                    new StoreException.NotFound("release " + app + " v" + version + " does not exist"));
            Integer previous = current.currentRelease();
            if (previous != null && previous != version) {
                setStatus(h, app, previous, ReleaseStatus.SUPERSEDED, "replaced by v" + version);
            }
            if (!Objects.equals(previous, version)) {
                h.createUpdate("UPDATE apps SET current_release = :version WHERE name = :name")
                        .bind("version", version).bind("name", app).execute();
                tx.markChanged();
            }
            if (release.status() != ReleaseStatus.ACTIVE || !Objects.equals(release.message(), message) || release.failure() != null) {
                setStatus(h, app, version, ReleaseStatus.ACTIVE, message);
                tx.markChanged();
            }
            for (String id : retire) {
                int rows = h.createUpdate("UPDATE instances SET desired = :destroyed, restart_requested = FALSE "
                                + "WHERE id = :id AND desired <> :destroyed")
                        .bind("destroyed", DesiredState.DESTROYED.wire()).bind("id", id).execute();
                if (rows > 0) {
                    tx.markChanged();
                }
            }
            return null;
        });
    }

    /** The releases of every app that are still {@code deploying}. */
    public List<Release> deploying() {
        return store.read("deploying releases", h -> h.createQuery("SELECT * FROM releases WHERE status = :status ORDER BY app, version")
                .bind("status", ReleaseStatus.DEPLOYING.wire()).map(Rows.RELEASE).list());
    }

    /**
     * Sets what the instance should be and drops any pending restart (a later stop or start wins
     * over an earlier restart).
     *
     * @return the instance as it was before
     * @throws StoreException.NotFound when there is no such instance
     * @throws StoreException.Conflict when it is already being destroyed: nothing brings it back
     */
    public Instance changeDesired(String instanceId, DesiredState desired) {
        return store.write("changeDesired " + instanceId + " " + desired.wire(), tx -> {
            Instance before = requireLive(tx.handle(), instanceId);
            int rows = tx.handle().createUpdate("""
                            UPDATE instances SET desired = :desired, restart_requested = FALSE
                            WHERE id = :id AND (desired <> :desired OR restart_requested)""")
                    .bind("desired", desired.wire()).bind("id", instanceId).execute();
            if (rows > 0) {
                tx.markChanged();
            }
            return before;
        });
    }

    /**
     * Stops the instance with a restart mark: once its agent reports it no longer running, the
     * scheduler starts it again ({@link #finishRestart}).
     *
     * @return the instance as it was before
     * @throws StoreException.NotFound when there is no such instance
     * @throws StoreException.Conflict when it is already being destroyed
     */
    public Instance requestRestart(String instanceId) {
        return store.write("requestRestart " + instanceId, tx -> {
            Instance before = requireLive(tx.handle(), instanceId);
            int rows = tx.handle().createUpdate("""
                            UPDATE instances SET desired = :stopped, restart_requested = TRUE
                            WHERE id = :id AND (desired <> :stopped OR NOT restart_requested)""")
                    .bind("stopped", DesiredState.STOPPED.wire()).bind("id", instanceId).execute();
            if (rows > 0) {
                tx.markChanged();
            }
            return before;
        });
    }

    /** The ids of instances with a restart pending. */
    public Set<String> restartsRequested() {
        return store.read("restartsRequested", h -> new TreeSet<>(
                h.createQuery("SELECT id FROM instances WHERE restart_requested").mapTo(String.class).list()));
    }

    /**
     * Ends a pending restart: an instance still wanted stopped is wanted running again; the mark is
     * cleared either way. Nothing happens when no restart is pending (a stop or destroy came since).
     *
     * @return true when the instance was started again
     */
    public boolean finishRestart(String instanceId) {
        return store.write("finishRestart " + instanceId, tx -> {
            Handle h = tx.handle();
            int started = h.createUpdate("""
                            UPDATE instances SET desired = :running, restart_requested = FALSE
                            WHERE id = :id AND restart_requested AND desired = :stopped""")
                    .bind("running", DesiredState.RUNNING.wire()).bind("stopped", DesiredState.STOPPED.wire())
                    .bind("id", instanceId).execute();
            int cleared = started > 0 ? 0 : h.createUpdate("UPDATE instances SET restart_requested = FALSE WHERE id = :id AND restart_requested")
                    .bind("id", instanceId).execute();
            if (started + cleared > 0) {
                tx.markChanged();
            }
            return started > 0;
        });
    }

    private static Instance requireLive(Handle h, String id) {
        Instance i = h.createQuery("SELECT * FROM instances WHERE id = :id").bind("id", id).map(Rows.INSTANCE).findOne()
                .orElseThrow(() -> new StoreException.NotFound("instance " + id + " does not exist"));
        if (i.desired() == DesiredState.DESTROYED) {
            throw new StoreException.Conflict("instance " + id + " is being destroyed; nothing can bring it back");
        }
        return i;
    }

    private static Optional<Release> release(Handle h, String app, int version) {
        return h.createQuery("SELECT * FROM releases WHERE app = :app AND version = :version")
                .bind("app", app).bind("version", version).map(Rows.RELEASE).findOne();
    }

    private static void setStatus(Handle h, String app, int version, ReleaseStatus status, String message) {
        h.createUpdate("UPDATE releases SET status = :status, message = :message, failure_json = NULL WHERE app = :app AND version = :version")
                .bind("status", status.wire()).bind("message", message).bind("app", app).bind("version", version).execute();
    }
}
