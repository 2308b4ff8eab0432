package dev.outpost;

import dev.outpost.agent.Agent;
import dev.outpost.agent.AgentConfig;
import dev.outpost.agent.AgentException;
import dev.outpost.agent.DriverMode;
import dev.outpost.agent.control.ApiControlPlane;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost agent}: runs the instances the server places on this host. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run the instances the server places on this host.")
public final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--region", required = true, paramLabel = "R", description = "This host's region.")
    String region;

    @CommandLine.Mixin
    ApiOptions apiOptions = new ApiOptions();

    @Option(names = "--address", paramLabel = "IP", description = "This host's private address, where proxies reach its instances (default: 127.0.0.1).")
    String address = "127.0.0.1";

    @Option(names = "--host-id", paramLabel = "ID", description = "This host's id (default: the host name).")
    String hostId;

    @Option(names = "--data", paramLabel = "DIR", description = "Where instances and bundles live (default: ./.outpost/agent).")
    Path data = Path.of(".outpost", "agent");

    @Option(names = "--memory-mb", paramLabel = "MB", description = "Memory offered to instances (default: 1024).")
    long memoryMb = 1024;

    @Option(names = "--driver", paramLabel = "docker|process", description = "Force the runtime (default: docker for images when its Engine answers, process for bundles).")
    String driver = "auto";

    @Override
    public Integer call() throws Exception {
        String api = apiOptions.api();
        String secret = apiOptions.token(spec);
        DriverMode driverMode;
        try {
            driverMode = DriverMode.parse(driver);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--driver: " + e.getMessage());
        }
        String id = hostId != null ? hostId : InetAddress.getLocalHost().getHostName();
        ApiControlPlane control = new ApiControlPlane(URI.create(api), secret);
        Agent agent;
        try {
            agent = new Agent(new AgentConfig(region, id, address, data.toAbsolutePath().normalize(), memoryMb, Duration.ofSeconds(2)),
                    control, driverMode);
        } catch (AgentException e) {
            control.close();
            spec.commandLine().getErr().println("outpost agent: " + e.getMessage());
            return 1;
        }
        agent.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            control.close();
            stopped.countDown();
        }, "outpost-agent-shutdown"));
        spec.commandLine().getOut().println("Outpost agent " + id + " in " + region + " working for " + api);
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
