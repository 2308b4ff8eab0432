package dev.outpost;

import dev.outpost.agent.AgentException;
import dev.outpost.agent.DriverMode;
import dev.outpost.cli.context.Context;
import dev.outpost.core.region.RegionCatalog;
import dev.outpost.lab.wan.WanMode;
import dev.outpost.proxy.ProxyException;
import dev.outpost.server.ServerException;
import dev.outpost.store.StoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost dev}: the whole platform on this machine, until Ctrl-C. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run the whole platform on this machine: the server, and one agent and one edge proxy per region.")
public final class DevCommand implements Callable<Integer> {
    static final int MAX_REGIONS = 7;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--regions", split = ",", paramLabel = "R[,R…]", description = "Regions to run, in order (default: iad,ams,syd). Region i gets 127.i.0.0/16.")
    List<String> regions = List.of("iad", "ams", "syd");

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./.outpost).")
    Path data = Path.of(".outpost");

    @Option(names = "--db", paramLabel = "URL", description = "Store: a SQLite file (default <data>/outpost.db) or postgresql://user:pass@host:port/db.")
    String db;

    @Option(names = "--api-port", paramLabel = "PORT", description = "Port of the API and registry on 127.0.0.1 (default: 7280).")
    int apiPort = 7280;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port of every region's edge (default: 8080).")
    int httpPort = 8080;

    @Option(names = "--https-port", paramLabel = "PORT",
            description = "HTTPS port of every region's edge: SNI certificates, a self-signed default for *.outpost.localhost (default: 8443).")
    int httpsPort = 8443;

    @Option(names = "--driver", paramLabel = "docker|process", description = "Force the agents' runtime (default: docker for images when its Engine answers, process for bundles).")
    String driver = "auto";

    @Option(names = "--log-retention", paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "How long instances' log lines are kept (default: 7d).")
    java.time.Duration logRetention = dev.outpost.server.ServerConfig.DEFAULT_LOG_RETENTION;

    @Option(names = "--wan", paramLabel = "none|scaled|real",
            description = "Distance between the regions: real round trips from the lab's table, scaled (a tenth, for quick tests), or none (default: none).")
    String wan = "none";

    @Option(names = "--prices", paramLabel = "FILE", converter = PricesConverter.class, description = PricesConverter.HELP)
    dev.outpost.server.meter.Prices prices;

    @CommandLine.Mixin
    AccessLogOption accessLog = new AccessLogOption();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> codes = checkRegions();
        accessLog.apply(spec);
        try {
            // A wrong -Doutpost.transport is told now, before anything starts.
            dev.outpost.proxy.http.Transport.best();
        } catch (IllegalArgumentException e) {
            err.println("outpost dev: " + e.getMessage());
            return 2;
        }
        checkPort("--api-port", apiPort);
        checkPort("--http-port", httpPort);
        checkPort("--https-port", httpsPort);
        Path dataDir = data.toAbsolutePath().normalize();
        DriverMode driverMode;
        try {
            driverMode = DriverMode.parse(driver);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--driver: " + e.getMessage());
        }
        WanMode wanMode;
        try {
            wanMode = WanMode.parse(wan);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--wan: " + e.getMessage());
        }
        DevPlatform platform;
        try {
            platform = DevPlatform.start(new DevPlatform.Options(codes, dataDir, apiPort, httpPort, db, driverMode, logRetention,
                    httpsPort, wanMode, prices));
        } catch (ServerException | ProxyException | StoreException | AgentException e) {
            err.println("outpost dev: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            platform.close();
            accessLog.flush();
            stopped.countDown();
        }, "outpost-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Path contextFile = Context.write(Context.directory(), platform.api(), platform.adminToken(),
                platform.edges().get(0).address());
        platform.labControl().writeFile(Context.directory()); // for `outpost lab stop|start|parts`; removed on close
        out.println("Outpost is running.");
        out.println();
        out.println("  API       " + platform.api() + "   (token in " + dataDir.resolve("admin-token") + ")");
        for (DevPlatform.Edge e : platform.edges()) {
            out.printf("  %-9s edge http://%s   metrics http://%s/metrics%n", e.region(), e.address(), e.admin());
        }
        out.println("  WAN       " + wanBanner(wanMode, codes));
        out.println("  data      " + dataDir);
        out.println("  context   " + contextFile);
        out.println();
        out.println("Next, in another shell:  cd examples/hello && ../../bin/outpost launch --region " + String.join(",", codes));
        out.println("Then:                    curl -H 'Host: hello.outpost.localhost' http://" + platform.edges().get(0).address() + "/");
        out.println("Stop with Ctrl-C.");
        out.flush();
        stopped.await();
        return 0;
    }

    private static String wanBanner(WanMode mode, List<String> codes) {
        if (!mode.linked()) {
            return "none: the regions are next to each other (--wan scaled|real adds distance)";
        }
        String example = codes.size() < 2 ? "" : ", e.g. " + codes.get(0) + "-" + codes.get(1) + " "
                + java.math.BigDecimal.valueOf(mode.rtt(codes.get(0), codes.get(1)).toNanos(), 6).stripTrailingZeros().toPlainString() + " ms";
        return mode.label() + ": connections across regions are delayed by the lab's round trips" + example + " (server in " + codes.get(0) + ")";
    }

    private List<String> checkRegions() {
        List<String> codes = new ArrayList<>(new LinkedHashSet<>(regions));
        if (codes.size() != regions.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--regions names a region twice: " + String.join(",", regions));
        }
        if (codes.isEmpty() || codes.size() > MAX_REGIONS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--regions takes 1 to " + MAX_REGIONS + " regions, got " + codes.size());
        }
        for (String code : codes) {
            if (RegionCatalog.find(code).isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown region " + code + " (known: "
                        + String.join(", ", RegionCatalog.REGIONS.stream().map(RegionCatalog.Region::code).toList()) + ")");
            }
        }
        return codes;
    }

    private void checkPort(String option, int port) {
        if (port < 1 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + port + " is out of range (1-65535)");
        }
    }
}
