package dev.outpost.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.api.InstanceReport;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.core.model.Token;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's truth: apps, releases, hosts, instances and tokens in SQLite (default) or PostgreSQL.
 *
 * <p>Every write is one transaction that also bumps a global index (a one-row table), so the index
 * and the data change together; writes that change nothing a watcher could see do not bump it.
 * After a write commits, {@link #onChange} listeners get the new index — the server wakes its blocking
 * queries with it.
 *
 * <p>Thread-safe. Writes are serialized in this process by one lock: SQLite allows one writer
 * anyway, and it keeps listener calls in index order. Reads run concurrently (WAL on SQLite).
 */
public final class Store implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Store.class);

    private static final Comparator<Instance> INSTANCE_ORDER = Comparator.comparing(Instance::app)
            .thenComparing(Instance::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Instance::id);

    private final DatabaseUrl url;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();

    private Store(DatabaseUrl url, HikariDataSource dataSource) {
        this.url = url;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * Opens the store at {@code url} and runs its migrations. {@code url} is {@code sqlite:/abs/path/outpost.db},
     * {@code jdbc:sqlite:/path}, a plain file path (SQLite; the file and its directories are created),
     * or {@code postgresql://user:pass@host:port/db} (also {@code jdbc:postgresql://…}).
     *
     * @throws StoreException naming the target (password masked) and what failed
     */
    public static Store open(String url) {
        DatabaseUrl target = DatabaseUrl.parse(url);
        HikariDataSource dataSource = ConnectionPool.open(target);
        try {
            Migrations.migrate(dataSource, target);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        Store store = new Store(target, dataSource);
        log.info("store {} open at index {}", target.display(), store.index());
        return store;
    }

    /** Where this store lives, password masked. */
    public String target() {
        return url.display();
    }

    /** The current global index: 1 on a fresh database, one more after every write that changed something. */
    public long index() {
        return read("index", h -> h.createQuery("SELECT current_value FROM global_index WHERE id = 1")
                .mapTo(Long.class).one());
    }

    /** A value read from the store together with the one index every read behind it saw. */
    public record Snapshot<T>(long index, T value) {}

    /**
     * Runs {@code body}, which may make several reads, so that all of them see one state: the index is
     * read before and after, and {@code body} runs again when a write committed in between (a
     * sequence lock; writes are never held up by it). After a few collisions the last attempt holds
     * this process's write lock, so a busy writer cannot starve it; a second server sharing a
     * PostgreSQL store is still covered by the index check.
     */
    public <T> Snapshot<T> snapshot(Supplier<T> body) {
        for (int attempt = 0; ; attempt++) {
            boolean locked = attempt >= 3;
            if (locked) {
                writeLock.lock();
            }
            try {
                long before = index();
                T value = body.get();
                if (index() == before) {
                    return new Snapshot<>(before, value);
                }
            } finally {
                if (locked) {
                    writeLock.unlock();
                }
            }
            if (attempt >= 20) {
                throw new StoreException("the store changed under every one of " + (attempt + 1)
                        + " attempts at a consistent read; another server is writing without pause");
            }
        }
    }

    /**
     * Calls {@code listener} with the new index after every committed write that bumped it, in index
     * order. Listeners run on the writing thread while writes are held: keep them short (wake waiters).
     */
    public void onChange(LongConsumer listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---- apps

    /** Creates app {@code name}, with an empty scale and no current release. */
    public App createApp(String name, String primaryRegion, Instant now) {
        return write("createApp " + name, tx -> {
            if (app(tx.handle(), name).isPresent()) {
                throw new StoreException.Conflict("app " + name + " already exists");
            }
            tx.handle().createUpdate("""
                            INSERT INTO apps (name, primary_region, scale_json, current_release, release_seq, created_at)
                            VALUES (:name, :region, :scale, NULL, 0, :createdAt)""")
                    .bind("name", name)
                    .bind("region", primaryRegion)
                    .bind("scale", JsonText.write(Map.of()))
                    .bind("createdAt", Rows.millis(now))
                    .execute();
            tx.markChanged();
            return app(tx.handle(), name).orElseThrow();
        });
    }

    public Optional<App> findApp(String name) {
        return read("findApp " + name, h -> app(h, name));
    }

    /** All apps, by name. */
    public List<App> listApps() {
        return read("listApps", h -> h.createQuery("SELECT * FROM apps").map(Rows.APP).list()).stream()
                .sorted(Comparator.comparing(App::name))
                .toList();
    }

    /**
     * Deletes app {@code name}, its releases, its budget and its recorded usage, and sets
     * {@code desired=destroyed} on its instances (their rows stay until {@link #deleteInstance}: the
     * agents still have to stop them; their runs are no longer recorded).
     *
     * @return false when there was no such app
     */
    public boolean deleteApp(String name) {
        return write("deleteApp " + name, tx -> {
            Handle h = tx.handle();
            if (app(h, name).isEmpty()) {
                return false;
            }
            h.createUpdate("DELETE FROM releases WHERE app = :app").bind("app", name).execute();
            h.createUpdate("DELETE FROM apps WHERE name = :app").bind("app", name).execute();
            Addresses.free(h, name);
            h.createUpdate("DELETE FROM budgets WHERE app = :app").bind("app", name).execute();
            Usage.forget(h, name);
            h.createUpdate("UPDATE instances SET desired = :destroyed WHERE app = :app")
                    .bind("destroyed", DesiredState.DESTROYED.wire())
                    .bind("app", name)
                    .execute();
            tx.markChanged();
            return true;
        });
    }

    /**
     * Merges {@code counts} (region → instances) into the app's scale; a count of 0 is kept as 0.
     *
     * @throws StoreException.NotFound when there is no such app
     */
    public App setScale(String app, Map<String, Integer> counts) {
        return write("setScale " + app, tx -> {
            App current = requireApp(tx.handle(), app);
            Map<String, Integer> merged = new TreeMap<>(current.scale());
            merged.putAll(counts);
            if (merged.equals(current.scale())) {
                return current;
            }
            tx.handle().createUpdate("UPDATE apps SET scale_json = :scale WHERE name = :name")
                    .bind("scale", JsonText.write(merged))
                    .bind("name", app)
                    .execute();
            tx.markChanged();
            return app(tx.handle(), app).orElseThrow();
        });
    }

    /**
     * Sets the release that serves (null: none).
     *
     * @throws StoreException.NotFound when there is no such app
     */
    public void setCurrentRelease(String app, Integer version) {
        write("setCurrentRelease " + app + " v" + version, tx -> {
            App current = requireApp(tx.handle(), app);
            if (Objects.equals(current.currentRelease(), version)) {
                return null;
            }
            tx.handle().createUpdate("UPDATE apps SET current_release = :version WHERE name = :name")
                    .bind("version", version)
                    .bind("name", app)
                    .execute();
            tx.markChanged();
            return null;
        });
    }

    // ---- releases

    /**
     * Creates the app's next release, {@code deploying}. Versions count from 1 and are never reused,
     * also when a release failed.
     *
     * @throws StoreException.NotFound when there is no such app
     */
    public Release createRelease(String app, String artifactDigest, AppConfig config, Instant now, Instant deadline) {
        return write("createRelease " + app, tx -> {
            Handle h = tx.handle();
            requireApp(h, app);
            // Increment before reading: the UPDATE takes the row lock, so two servers sharing one
            // PostgreSQL database cannot both read the same last version.
            h.createUpdate("UPDATE apps SET release_seq = release_seq + 1 WHERE name = :name").bind("name", app).execute();
            int version = h.createQuery("SELECT release_seq FROM apps WHERE name = :name")
                    .bind("name", app).mapTo(Integer.class).one();
            h.createUpdate("""
                            INSERT INTO releases (app, version, artifact_digest, config_json, status, message, failure_json,
                                                  created_at, deadline)
                            VALUES (:app, :version, :digest, :config, :status, NULL, NULL, :createdAt, :deadline)""")
                    .bind("app", app)
                    .bind("version", version)
                    .bind("digest", artifactDigest)
                    .bind("config", JsonText.write(config))
                    .bind("status", ReleaseStatus.DEPLOYING.wire())
                    .bind("createdAt", Rows.millis(now))
                    .bind("deadline", Rows.millis(deadline))
                    .execute();
            tx.markChanged();
            return release(h, app, version).orElseThrow();
        });
    }

    public Optional<Release> findRelease(String app, int version) {
        return read("findRelease " + app + " v" + version, h -> release(h, app, version));
    }

    /** The app's releases, newest first. */
    public List<Release> listReleases(String app) {
        return read("listReleases " + app, h -> h.createQuery("SELECT * FROM releases WHERE app = :app ORDER BY version DESC")
                .bind("app", app).map(Rows.RELEASE).list());
    }

    /**
     * Sets a release's deploy status, message and failure.
     *
     * @throws StoreException.NotFound when there is no such release
     */
    public void updateRelease(String app, int version, ReleaseStatus status, String message, DeployFailure failure) {
        write("updateRelease " + app + " v" + version, tx -> {
            Release current = release(tx.handle(), app, version).orElseThrow(
                    () -> new StoreException.NotFound("release " + app + " v" + version + " does not exist"));
            if (current.equals(current.withStatus(status, message, failure))) {
                return null;
            }
            tx.handle().createUpdate("""
                            UPDATE releases SET status = :status, message = :message, failure_json = :failure
                            WHERE app = :app AND version = :version""")
                    .bind("status", status == null ? null : status.wire())
                    .bind("message", message)
                    .bind("failure", JsonText.write(failure))
                    .bind("app", app)
                    .bind("version", version)
                    .execute();
            tx.markChanged();
            return null;
        });
    }

    // ---- hosts

    /**
     * Registers or refreshes a host. The index is bumped only when its region, address or memory
     * change: a heartbeat that only moves {@code lastSeen} is not news to watchers.
     */
    public Host upsertHost(Host host) {
        return write("upsertHost " + host.id(), tx -> {
            Handle h = tx.handle();
            Optional<Host> existing = host(h, host.id());
            if (existing.isEmpty()) {
                h.createUpdate("""
                                INSERT INTO hosts (id, region, address, memory_mb, last_seen)
                                VALUES (:id, :region, :address, :memoryMb, :lastSeen)""")
                        .bind("id", host.id())
                        .bind("region", host.region())
                        .bind("address", host.address())
                        .bind("memoryMb", host.memoryMb())
                        .bind("lastSeen", Rows.millis(host.lastSeen()))
                        .execute();
                tx.markChanged();
            } else {
                Host old = existing.get();
                h.createUpdate("""
                                UPDATE hosts SET region = :region, address = :address, memory_mb = :memoryMb, last_seen = :lastSeen
                                WHERE id = :id""")
                        .bind("id", host.id())
                        .bind("region", host.region())
                        .bind("address", host.address())
                        .bind("memoryMb", host.memoryMb())
                        .bind("lastSeen", Rows.millis(host.lastSeen()))
                        .execute();
                if (!Objects.equals(old.region(), host.region()) || !Objects.equals(old.address(), host.address())
                        || old.memoryMb() != host.memoryMb()) {
                    tx.markChanged();
                }
            }
            return host(h, host.id()).orElseThrow();
        });
    }

    public Optional<Host> findHost(String id) {
        return read("findHost " + id, h -> host(h, id));
    }

    /** All hosts, by id. */
    public List<Host> listHosts() {
        return read("listHosts", h -> h.createQuery("SELECT * FROM hosts").map(Rows.HOST).list()).stream()
                .sorted(Comparator.comparing(Host::id))
                .toList();
    }

    // ---- instances

    /** @throws StoreException.Conflict when an instance with this id exists */
    public void insertInstance(Instance instance) {
        write("insertInstance " + instance.id(), tx -> {
            Handle h = tx.handle();
            if (instance(h, instance.id()).isPresent()) {
                throw new StoreException.Conflict("instance " + instance.id() + " already exists");
            }
            h.createUpdate("""
                            INSERT INTO instances (id, app, release_version, region, host_id, address, port, state, desired,
                                                   health, exit_code, message, restarts, log_tail_json, created_at, updated_at)
                            VALUES (:id, :app, :release, :region, :hostId, :address, :port, :state, :desired,
                                    :health, :exitCode, :message, :restarts, :logTail, :createdAt, :updatedAt)""")
                    .bind("id", instance.id())
                    .bind("app", instance.app())
                    .bind("release", instance.release())
                    .bind("region", instance.region())
                    .bind("hostId", instance.hostId())
                    .bind("address", instance.address())
                    .bind("port", instance.port())
                    .bind("state", instance.state() == null ? null : instance.state().wire())
                    .bind("desired", instance.desired() == null ? null : instance.desired().wire())
                    .bind("health", instance.health() == null ? null : instance.health().wire())
                    .bind("exitCode", instance.exitCode())
                    .bind("message", instance.message())
                    .bind("restarts", instance.restarts())
                    .bind("logTail", JsonText.write(instance.logTail()))
                    .bind("createdAt", Rows.millis(instance.createdAt()))
                    .bind("updatedAt", Rows.millis(instance.updatedAt()))
                    .execute();
            tx.markChanged();
            return null;
        });
    }

    public Optional<Instance> findInstance(String id) {
        return read("findInstance " + id, h -> instance(h, id));
    }

    /** All instances, by app, then creation time. */
    public List<Instance> listInstances() {
        return read("listInstances", h -> h.createQuery("SELECT * FROM instances").map(Rows.INSTANCE).list()).stream()
                .sorted(INSTANCE_ORDER).toList();
    }

    /** The app's instances (also those of a deleted app that are still being destroyed), by creation time. */
    public List<Instance> listInstances(String app) {
        return read("listInstances " + app, h -> h.createQuery("SELECT * FROM instances WHERE app = :app")
                .bind("app", app).map(Rows.INSTANCE).list()).stream()
                .sorted(INSTANCE_ORDER).toList();
    }

    /** The instances placed on host {@code hostId}: what its agent must make true. */
    public List<Instance> listInstancesOnHost(String hostId) {
        return read("listInstancesOnHost " + hostId, h -> h.createQuery("SELECT * FROM instances WHERE host_id = :host")
                .bind("host", hostId).map(Rows.INSTANCE).list()).stream()
                .sorted(INSTANCE_ORDER).toList();
    }

    /**
     * Sets what the scheduler wants the instance to be; no index bump when it already was.
     *
     * @throws StoreException.NotFound when there is no such instance
     */
    public void setDesired(String instanceId, DesiredState desired) {
        write("setDesired " + instanceId + " " + desired, tx -> {
            Instance current = requireInstance(tx.handle(), instanceId);
            if (current.desired() == desired) {
                return null;
            }
            tx.handle().createUpdate("UPDATE instances SET desired = :desired WHERE id = :id")
                    .bind("desired", desired == null ? null : desired.wire())
                    .bind("id", instanceId)
                    .execute();
            tx.markChanged();
            return null;
        });
    }

    /**
     * Records what the agent saw: state, health, address, port, exit code, message, restarts, log tail,
     * and {@code now} as {@code updatedAt}. A report that repeats the last one only moves
     * {@code updatedAt} and does not bump the index.
     *
     * @return true when anything but {@code updatedAt} changed
     * @throws StoreException.NotFound when there is no such instance
     */
    public boolean applyReport(String instanceId, InstanceReport report, Instant now) {
        return write("applyReport " + instanceId, tx -> {
            Instance current = requireInstance(tx.handle(), instanceId);
            Instance next = new Instance(current.id(), current.app(), current.release(), current.region(),
                    current.hostId(), report.address(), report.port(), report.state(), current.desired(),
                    report.health(), report.exitCode(), report.message(), report.restarts(), report.logTail(),
                    current.createdAt(), current.updatedAt());
            boolean changed = !next.equals(current);
            tx.handle().createUpdate("""
                            UPDATE instances SET state = :state, health = :health, address = :address, port = :port,
                                exit_code = :exitCode, message = :message, restarts = :restarts, log_tail_json = :logTail,
                                updated_at = :updatedAt
                            WHERE id = :id""")
                    .bind("state", report.state() == null ? null : report.state().wire())
                    .bind("health", report.health() == null ? null : report.health().wire())
                    .bind("address", report.address())
                    .bind("port", report.port())
                    .bind("exitCode", report.exitCode())
                    .bind("message", report.message())
                    .bind("restarts", report.restarts())
                    .bind("logTail", JsonText.write(report.logTail()))
                    .bind("updatedAt", Rows.millis(now))
                    .bind("id", instanceId)
                    .execute();
            Usage.track(tx.handle(), current, report.state(), Usage.observed(report, now));
            if (changed) {
                tx.markChanged();
            }
            return changed;
        });
    }

    /**
     * Forgets an instance (its agent has destroyed it, or its host is gone) and ends its open run for
     * the meter at {@code stoppedAt}, in one transaction: a run whose instance row is gone would
     * otherwise be charged forever. Nothing happens when it is already gone.
     */
    public void deleteInstance(String instanceId, Instant stoppedAt) {
        write("deleteInstance " + instanceId, tx -> {
            Usage.close(tx.handle(), instanceId, stoppedAt);
            int rows = tx.handle().createUpdate("DELETE FROM instances WHERE id = :id").bind("id", instanceId).execute();
            if (rows > 0) {
                tx.markChanged();
            }
            return null;
        });
    }

    // ---- tokens

    /** Stores a token (its hash, never the secret). @throws StoreException.Conflict when the id or hash exists */
    public void insertToken(Token token) {
        write("insertToken " + token.id(), tx -> {
            Handle h = tx.handle();
            boolean exists = h.createQuery("SELECT COUNT(*) FROM tokens WHERE id = :id OR hash = :hash")
                    .bind("id", token.id()).bind("hash", token.hash()).mapTo(Long.class).one() > 0;
            if (exists) {
                throw new StoreException.Conflict("token " + token.id() + " (or one with the same hash) already exists");
            }
            h.createUpdate("INSERT INTO tokens (id, name, hash, admin, created_at) VALUES (:id, :name, :hash, :admin, :createdAt)")
                    .bind("id", token.id())
                    .bind("name", token.name())
                    .bind("hash", token.hash())
                    .bind("admin", token.admin())
                    .bind("createdAt", Rows.millis(token.createdAt()))
                    .execute();
            tx.markChanged();
            return null;
        });
    }

    public Optional<Token> findTokenByHash(String hash) {
        return read("findTokenByHash", h -> h.createQuery("SELECT * FROM tokens WHERE hash = :hash")
                .bind("hash", hash).map(Rows.TOKEN).findOne());
    }

    /** All tokens, oldest first. */
    public List<Token> listTokens() {
        return read("listTokens", h -> h.createQuery("SELECT * FROM tokens ORDER BY created_at, id").map(Rows.TOKEN).list());
    }

    /** @return false when there was no such token */
    public boolean deleteToken(String id) {
        return write("deleteToken " + id, tx -> {
            int rows = tx.handle().createUpdate("DELETE FROM tokens WHERE id = :id").bind("id", id).execute();
            if (rows > 0) {
                tx.markChanged();
            }
            return rows > 0;
        });
    }

    /** The scheduler's one-transaction writes: release switches and instance restart marks. */
    public Scheduling scheduling() {
        return new Scheduling(this);
    }

    /** Apps' sealed secrets in versions, and the secrets version and note of each release. */
    public Secrets secrets() {
        return new Secrets(this);
    }

    /** TLS certificates by host name, private keys sealed by the server. */
    public Certificates certificates() {
        return new Certificates(this);
    }

    /** Edge proxies, their probe addresses and the round trips they measured. */
    public Edges edges() {
        return new Edges(this);
    }

    /** Apps' dedicated addresses (offsets into the edges' block) for ports outside the shared listeners. */
    public Addresses addresses() {
        return new Addresses(this);
    }

    /** The central log: lines shipped by agents, queried by app, pruned by age. */
    public Logs logs() {
        return new Logs(this);
    }

    /** What happened to apps, for {@code outpost events} and webhooks. */
    public Events events() {
        return new Events(this);
    }

    /** Instances' run intervals, recorded by {@link #applyReport}: what the meter prices. */
    public Usage usage() {
        return new Usage(this);
    }

    /** Monthly budgets, their alerts, and suspended apps with the states to restore. */
    public Budgets budgets() {
        return new Budgets(this);
    }

    /** Webhook subscriptions and their durable deliveries. */
    public Webhooks webhooks() {
        return new Webhooks(this);
    }

    /** Closes the connection pool. */
    @Override
    public void close() {
        dataSource.close();
    }

    // ---- for the feature stores of this package (one class per concern, e.g. secrets, logs)

    /**
     * Runs {@code body} in one transaction under the write lock; when it marked a change, bumps the
     * index in the same transaction and, once committed, tells the listeners.
     */
    <T> T write(String what, Function<WriteTransaction, T> body) {
        writeLock.lock();
        try {
            Committed<T> committed;
            try {
                committed = jdbi.inTransaction(h -> {
                    WriteTransaction tx = new WriteTransaction(h);
                    T result = body.apply(tx);
                    return new Committed<>(result, tx.isChanged() ? bumpIndex(h) : 0L);
                });
            } catch (JdbiException e) {
                throw translate(what, e);
            }
            if (committed.index() > 0) {
                notifyListeners(committed.index());
            }
            return committed.result();
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code body} on a handle outside any write; {@code what} names it in errors. */
    <T> T read(String what, HandleCallback<T, RuntimeException> body) {
        try {
            return jdbi.withHandle(body);
        } catch (JdbiException e) {
            throw translate(what, e);
        }
    }

    // ---- private

    private static long bumpIndex(Handle h) {
        h.createUpdate("UPDATE global_index SET current_value = current_value + 1 WHERE id = 1").execute();
        return h.createQuery("SELECT current_value FROM global_index WHERE id = 1").mapTo(Long.class).one();
    }

    private void notifyListeners(long index) {
        for (LongConsumer listener : listeners) {
            try {
                listener.accept(index);
            } catch (RuntimeException e) {
                // A listener's bug must not undo a committed write or starve the other listeners.
                log.error("store change listener {} failed at index {}", listener, index, e);
            }
        }
    }

    private StoreException translate(String what, JdbiException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && url.dialect().isUniqueViolation(sql)) {
                return new StoreException.Conflict(what + ": already exists (" + sql.getMessage() + ")", e);
            }
        }
        return new StoreException(what + " failed on store " + url.display() + ": " + ConnectionPool.rootMessage(e), e);
    }

    private static Optional<App> app(Handle h, String name) {
        return h.createQuery("SELECT * FROM apps WHERE name = :name").bind("name", name).map(Rows.APP).findOne();
    }

    private static App requireApp(Handle h, String name) {
        return app(h, name).orElseThrow(() -> new StoreException.NotFound("app " + name + " does not exist"));
    }

    private static Optional<Release> release(Handle h, String app, int version) {
        return h.createQuery("SELECT * FROM releases WHERE app = :app AND version = :version")
                .bind("app", app).bind("version", version).map(Rows.RELEASE).findOne();
    }

    private static Optional<Host> host(Handle h, String id) {
        return h.createQuery("SELECT * FROM hosts WHERE id = :id").bind("id", id).map(Rows.HOST).findOne();
    }

    private static Optional<Instance> instance(Handle h, String id) {
        return h.createQuery("SELECT * FROM instances WHERE id = :id").bind("id", id).map(Rows.INSTANCE).findOne();
    }

    private static Instance requireInstance(Handle h, String id) {
        return instance(h, id).orElseThrow(() -> new StoreException.NotFound("instance " + id + " does not exist"));
    }

    /** What a write transaction returns: its result and the index it bumped to (0: not bumped). */
    private record Committed<T>(T result, long index) {}
}
