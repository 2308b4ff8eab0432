package dev.outpost.server;

import dev.outpost.core.Json;
import dev.outpost.server.api.AppsApi;
import dev.outpost.server.api.Authentication;
import dev.outpost.server.api.Blocking;
import dev.outpost.server.api.ErrorMapping;
import dev.outpost.server.api.HostsApi;
import dev.outpost.server.api.ReleasesApi;
import dev.outpost.server.api.InstancesApi;
import dev.outpost.server.api.RoutesApi;
import dev.outpost.server.api.TokensApi;
import dev.outpost.server.auth.TokenAuth;
import dev.outpost.server.registry.BlobStore;
import dev.outpost.server.registry.GarbageCollector;
import dev.outpost.server.registry.Registry;
import dev.outpost.server.registry.ReleasedArtifacts;
import dev.outpost.server.registry.RegistryApi;
import dev.outpost.server.scheduler.Reconciler;
import dev.outpost.server.watch.IndexWatch;
import dev.outpost.store.Store;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The control plane: the {@code /v1} API and {@code /v2} registry on Javalin (virtual threads), the
 * blocking-query watch fed by the store, and the scheduler loop. {@link #start} binds; {@link #close}
 * stops the loop and the listener (the store belongs to the caller).
 */
public final class OutpostServer implements AutoCloseable {
    private final ServerConfig config;
    private final Store store;
    private final IndexWatch watch;
    private final Reconciler reconciler;
    private final Javalin javalin;
    private final GarbageCollector registryGc;
    private final dev.outpost.server.autoscaler.AutoscalerLoop autoscaler;

    public OutpostServer(ServerConfig config, Store store, Clock clock) throws IOException {
        this.config = config;
        this.store = store;
        this.watch = new IndexWatch(store.index());
        store.onChange(watch::advance);
        this.reconciler = new Reconciler(store, watch, clock);
        BlobStore blobs = new BlobStore(config.dataDir().resolve("blobs"));
        Registry registry = new Registry(blobs);
        this.registryGc = new GarbageCollector(registry, new ReleasedArtifacts(store), GarbageCollector.DEFAULT_INTERVAL,
                GarbageCollector.DEFAULT_GRACE);
        RegionDirectory regions = new RegionDirectory(config.regions(), store);
        TokenAuth auth = new TokenAuth(store);
        AppsApi apps = new AppsApi(store, regions, clock, registry);
        dev.outpost.server.autoscaler.LoadBoard load = new dev.outpost.server.autoscaler.LoadBoard(Duration.ofHours(1));
        // PLACEHOLDER EventSink until the event log lands: the lead replaces this one line at merge.
        dev.outpost.server.events.EventSink loggingEventSink = (app, kind, message, data) -> LoggerFactory.getLogger("dev.outpost.server.events").info("event {} {}: {}", app, kind, message);
        this.autoscaler = new dev.outpost.server.autoscaler.AutoscalerLoop(store, load, loggingEventSink, clock,
                dev.outpost.server.autoscaler.AutoscalerLoop.DEFAULT_TICK);
        dev.outpost.server.secrets.ReleaseSecrets secrets;
        try {
            secrets = new dev.outpost.server.secrets.ReleaseSecrets(store, dev.outpost.server.secrets.SecretKeyFile.open(
                    config.dataDir().resolve(dev.outpost.server.secrets.SecretKeyFile.NAME)));
        } catch (dev.outpost.server.secrets.SecretsException e) {
            throw new ServerException(e.getMessage(), e);
        }
        this.javalin = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
            cfg.http.maxRequestSize = 16L * 1024 * 1024;
            ErrorMapping.install(cfg);
            cfg.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
            Authentication.install(cfg.routes, auth);
            Blocking.install(cfg.routes, watch);
            apps.register(cfg.routes);
            new ReleasesApi(store, registry, apps, clock).register(cfg.routes);
            new HostsApi(store, regions, clock, secrets).register(cfg.routes);
            new dev.outpost.server.api.SecretsApi(store, secrets, clock).register(cfg.routes);
            new dev.outpost.server.api.RollbackApi(store, blobs, clock).register(cfg.routes);
            new dev.outpost.server.api.PromoteApi(store, blobs, apps, registry::copyManifest, clock).register(cfg.routes);
            new RoutesApi(store).register(cfg.routes);
            new dev.outpost.server.api.CertsApi(store, secrets.box(), clock).register(cfg.routes);
            new dev.outpost.server.api.EdgesApi(store, clock).register(cfg.routes);
            new InstancesApi(store).register(cfg.routes);
            new dev.outpost.server.api.LoadApi(store, regions, load, clock).register(cfg.routes);
            new TokensApi(store, clock).register(cfg.routes);
            new dev.outpost.server.api.LogsApi(store, clock, config.logRetention()).register(cfg);
            new RegistryApi(registry, store, auth, new ReleasedArtifacts(store)).register(cfg.routes);
        });
    }

    public void start() {
        try {
            javalin.start(config.bindHost(), config.port());
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new ServerException("address in use: " + config.bindHost() + ":" + config.port()
                            + " (is another outpost dev running?)", e);
                }
            }
            throw new ServerException("cannot start the API on " + config.bindHost() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        reconciler.start();
        registryGc.start();
        autoscaler.start();
    }

    /** The API's base URL, e.g. {@code http://127.0.0.1:7280}. */
    public URI url() {
        return URI.create("http://" + config.bindHost() + ":" + javalin.port());
    }

    public IndexWatch watch() {
        return watch;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public dev.outpost.server.autoscaler.AutoscalerLoop autoscaler() {
        return autoscaler;
    }

    @Override
    public void close() {
        autoscaler.close();
        registryGc.close();
        reconciler.close();
        javalin.stop();
    }
}
