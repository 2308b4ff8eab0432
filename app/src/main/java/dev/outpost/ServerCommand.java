package dev.outpost;

import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.ServerException;
import dev.outpost.server.auth.AdminToken;
import dev.outpost.store.Store;
import dev.outpost.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost server}: the control plane alone, for production hosts. */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the control plane (API, registry, scheduler).")
public final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address of the API (default: 127.0.0.1:7280).")
    String listen = "127.0.0.1:" + ServerConfig.DEFAULT_PORT;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./.outpost).")
    Path data = Path.of(".outpost");

    @Option(names = "--db", paramLabel = "URL", description = "Store: a SQLite file (default <data>/outpost.db) or postgresql://…")
    String db;

    @Option(names = "--regions", split = ",", paramLabel = "R[,R…]", description = "Regions of this platform, the server's first.")
    List<String> regions = List.of();

    @Option(names = "--log-retention", paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "How long instances' log lines are kept (default: 7d).")
    java.time.Duration logRetention = ServerConfig.DEFAULT_LOG_RETENTION;

    @Option(names = "--prices", paramLabel = "FILE", converter = PricesConverter.class, description = PricesConverter.HELP)
    dev.outpost.server.meter.Prices prices;

    @Override
    public Integer call() throws Exception {
        HostPort hp = HostPort.parse(spec, "--listen", listen);
        Path dataDir = data.toAbsolutePath().normalize();
        Store store;
        try {
            store = Store.open(db != null ? db : dataDir.resolve("outpost.db").toString());
        } catch (StoreException e) {
            spec.commandLine().getErr().println("outpost server: " + e.getMessage());
            return 1;
        }
        AdminToken.ensure(store, dataDir);
        OutpostServer server;
        try {
            // the constructor refuses a secrets key others can read: say so in one line, like a busy port
            server = new OutpostServer(new ServerConfig(hp.host(), hp.port(), dataDir, regions, logRetention, prices), store, Clock.systemUTC());
            server.start();
        } catch (ServerException e) {
            store.close();
            spec.commandLine().getErr().println("outpost server: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            store.close();
            stopped.countDown();
        }, "outpost-server-shutdown"));
        spec.commandLine().getOut().println("Outpost server on " + server.url() + " (admin token in " + dataDir.resolve("admin-token") + ")");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
