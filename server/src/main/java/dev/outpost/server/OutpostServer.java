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
    private final dev.outpost.server.edges.EdgeExpiry edgeExpiry;
    private final dev.outpost.server.budget.BudgetKeeper budgets;
    private final dev.outpost.server.webhooks.WebhookDispatcher webhooks;
    private final dev.outpost.server.autoscaler.AutoscalerLoop autoscaler;

    public OutpostServer(ServerConfig config, Store store, Clock clock) throws IOException {
        this.config = config;
        this.store = store;
        this.watch = new IndexWatch(store.index());
        store.onChange(watch::advance);
        dev.outpost.server.events.EventLog events = new dev.outpost.server.events.EventLog(store, clock);
        this.reconciler = new Reconciler(store, watch, clock, events);
        dev.outpost.server.meter.Meter meter = new dev.outpost.server.meter.Meter(store, config.prices(), clock);
        requirePriced(store, config.prices(), clock);
        this.budgets = new dev.outpost.server.budget.BudgetKeeper(store, meter, events);
        BlobStore blobs = new BlobStore(config.dataDir().resolve("blobs"));
        Registry registry = new Registry(blobs);
        this.registryGc = new GarbageCollector(registry, new ReleasedArtifacts(store), GarbageCollector.DEFAULT_INTERVAL,
                GarbageCollector.DEFAULT_GRACE);
        this.edgeExpiry = new dev.outpost.server.edges.EdgeExpiry(store.edges(), clock,
                dev.outpost.server.edges.EdgeExpiry.DEFAULT_AFTER, dev.outpost.server.edges.EdgeExpiry.DEFAULT_EVERY);
        RegionDirectory regions = new RegionDirectory(config.regions(), store);
        TokenAuth auth = new TokenAuth(store);
        AppsApi apps = new AppsApi(store, regions, clock, registry, config.prices());
        dev.outpost.server.autoscaler.LoadBoard load = new dev.outpost.server.autoscaler.LoadBoard(Duration.ofHours(1));
        this.autoscaler = new dev.outpost.server.autoscaler.AutoscalerLoop(store, load, events, clock,
                dev.outpost.server.autoscaler.AutoscalerLoop.DEFAULT_TICK);
        dev.outpost.server.secrets.ReleaseSecrets secrets;
        try {
            secrets = new dev.outpost.server.secrets.ReleaseSecrets(store, dev.outpost.server.secrets.SecretKeyFile.open(
                    config.dataDir().resolve(dev.outpost.server.secrets.SecretKeyFile.NAME)));
        } catch (dev.outpost.server.secrets.SecretsException e) {
            throw new ServerException(e.getMessage(), e);
        }
        dev.outpost.server.webhooks.WebhooksApi.sealPlaintextSecrets(store, secrets.box());
        this.webhooks = new dev.outpost.server.webhooks.WebhookDispatcher(store, secrets.box(), watch, clock);
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
            new dev.outpost.server.api.RollbackApi(store, blobs, apps, clock).register(cfg.routes);
            new dev.outpost.server.api.PromoteApi(store, blobs, apps, registry::copyManifest, clock).register(cfg.routes);
            new RoutesApi(store).register(cfg.routes);
            new dev.outpost.server.api.AddressesApi(store, regions).register(cfg.routes);
            new dev.outpost.server.api.CertsApi(store, secrets.box(), clock).register(cfg.routes);
            new dev.outpost.server.api.EdgesApi(store, clock).register(cfg.routes);
            new InstancesApi(store).register(cfg.routes);
            new dev.outpost.server.api.AutostartApi(store, events).register(cfg.routes);
            new dev.outpost.server.api.LoadApi(store, regions, load, clock).register(cfg.routes);
            new TokensApi(store, clock).register(cfg.routes);
            new dev.outpost.server.api.LogsApi(store, clock, config.logRetention()).register(cfg);
            new RegistryApi(registry, store, auth, new ReleasedArtifacts(store)).register(cfg.routes);
            new dev.outpost.server.events.EventsApi(store).register(cfg.routes);
            new dev.outpost.server.budget.BudgetApi(store, meter, budgets).register(cfg.routes);
            new dev.outpost.server.webhooks.WebhooksApi(store, secrets.box(), clock).register(cfg.routes);
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
        edgeExpiry.start();
        budgets.start();
        webhooks.start();
        autoscaler.start();
    }

    /**
     * The VM size of every app's current release, and of every run charged this month, must have a
     * price, or the meter could not charge it: fails naming each unpriced size and the apps using it.
     */
    static void requirePriced(Store store, dev.outpost.server.meter.Prices prices, Clock clock) {
        Map<String, java.util.Set<String>> unpriced = new java.util.TreeMap<>();
        java.time.YearMonth month = java.time.YearMonth.from(clock.instant().atOffset(java.time.ZoneOffset.UTC));
        java.time.Instant from = dev.outpost.server.meter.Meter.start(month);
        for (dev.outpost.core.model.App app : store.listApps()) {
            java.util.Set<String> sizes = new java.util.TreeSet<>();
            if (app.currentRelease() != null) {
                store.findRelease(app.name(), app.currentRelease())
                        .ifPresent(r -> sizes.add(dev.outpost.server.meter.Prices.sizeOf(r.config())));
            }
            store.usage().intervals(app.name(), from, dev.outpost.server.meter.Meter.start(month.plusMonths(1)))
                    .forEach(run -> sizes.add(run.vmSize()));
            sizes.stream().filter(size -> !prices.has(size))
                    .forEach(size -> unpriced.computeIfAbsent(size, s -> new java.util.TreeSet<>()).add(app.name()));
        }
        if (!unpriced.isEmpty()) {
            StringBuilder what = new StringBuilder();
            unpriced.forEach((size, apps) -> what.append(what.isEmpty() ? "" : "; ").append("vm size ").append(size)
                    .append(" (used by ").append(String.join(", ", apps)).append(")"));
            throw new ServerException("the price list has no price for " + what + ": add them to the --prices file (it prices "
                    + prices.sizes() + ")", null);
        }
    }

    /** The budget loop, for tests that step it by hand. */
    public dev.outpost.server.budget.BudgetKeeper budgets() {
        return budgets;
    }

    /** The webhook sender, for tests that step it by hand. */
    public dev.outpost.server.webhooks.WebhookDispatcher webhooks() {
        return webhooks;
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
        edgeExpiry.close();
        webhooks.close();
        budgets.close();
        autoscaler.close();
        registryGc.close();
        reconciler.close();
        // Blocking queries end now (503, or the connection closing under them) instead of holding
        // javalin.stop() and their callers until their wait ends.
        watch.close();
        javalin.stop();
    }
}
