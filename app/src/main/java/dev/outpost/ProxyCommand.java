package dev.outpost;

import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.ProxyConfig;
import dev.outpost.proxy.ProxyException;
import dev.outpost.proxy.control.RouteWatcher;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost proxy}: a region's edge. */
@Command(name = "proxy", mixinStandardHelpOptions = true, description = "Run a region's edge proxy.")
public final class ProxyCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--region", required = true, paramLabel = "R", description = "This edge's region.")
    String region;

    @CommandLine.Mixin
    ApiOptions apiOptions = new ApiOptions();

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "HTTP listener (default: 0.0.0.0:8080).")
    String listen = "0.0.0.0:8080";

    @Option(names = "--https-port", paramLabel = "PORT",
            description = "HTTPS port on the --listen host: certificates from the server by SNI, a self-signed default for "
                    + "*.outpost.localhost (default: 8443; -1: no HTTPS).")
    int httpsPort = 8443;

    @Option(names = "--probe-listen", paramLabel = "HOST:PORT",
            description = "Where peer edges probe this one to measure RTT; registered with the server, so an address they reach "
                    + "(default: the --listen host, port 8081).")
    String probeListen;

    @Option(names = "--id", paramLabel = "ID", description = "This edge's id with the server (default: REGION-edge).")
    String edgeId;

    @Option(names = "--dedicated-block", paramLabel = "A.B.C.0",
            description = "The /24 apps' dedicated addresses come from: an app with address offset N has its raw TCP, tls and "
                    + "proxy_proto ports served on A.B.C.N, which must be configured on this host (default: none, such ports "
                    + "are not served).")
    String dedicatedBlock;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT",
            description = "Admin listener: Prometheus /metrics and /healthz (default: 127.0.0.1:9191; none: no admin listener).")
    String adminListen = "127.0.0.1:9191";

    @CommandLine.Mixin
    AccessLogOption accessLog = new AccessLogOption();

    @Override
    public Integer call() throws Exception {
        Optional<HostPort> admin = adminListener();
        accessLog.apply(spec);
        HostPort hp = HostPort.parse(spec, "--listen", listen);
        HostPort probe = HostPort.parse(spec, "--probe-listen", probeListen != null ? probeListen : hp.host() + ":8081");
        if (probe.host().equals("0.0.0.0") || probe.host().equals("::") || probe.host().equals("[::]")) {
            // The probe address is registered as is: peers must be able to dial it.
            throw new CommandLine.ParameterException(spec.commandLine(), "--probe-listen " + probe.host() + ":" + probe.port()
                    + " is not an address peers can reach: pass --probe-listen with this host's address, e.g. 10.0.0.5:8081");
        }
        if (dedicatedBlock != null) {
            try {
                dev.outpost.core.api.DedicatedBlock.parse(dedicatedBlock);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--dedicated-block: " + e.getMessage());
            }
        }
        dev.outpost.proxy.http.Transport transport;
        try {
            transport = dev.outpost.proxy.http.Transport.best();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("outpost proxy: " + e.getMessage());
            return 2;
        }
        String api = apiOptions.api();
        String secret = apiOptions.token(spec);
        dev.outpost.proxy.control.PeerProbing probing;
        try {
            probing = dev.outpost.proxy.control.PeerProbing.start(URI.create(api), secret, edgeId != null ? edgeId : region + "-edge",
                    region, probe.host(), probe.port(), dev.outpost.proxy.routing.Dialer.direct(), dedicatedBlock);
        } catch (ProxyException e) {
            spec.commandLine().getErr().println("outpost proxy: " + e.getMessage());
            return 1;
        }
        if (httpsPort != -1 && (httpsPort < 1 || httpsPort > 65535)) {
            probing.close();
            throw new CommandLine.ParameterException(spec.commandLine(), "--https-port " + httpsPort + " is out of range (1-65535, or -1: no HTTPS)");
        }
        ProxyConfig config = new ProxyConfig(region, hp.host(), hp.port());
        if (admin.isPresent()) {
            config = config.withAdmin(admin.get().host(), admin.get().port());
        }
        if (dedicatedBlock != null) {
            config = config.withDedicatedBlock(dedicatedBlock);
        }
        EdgeProxy proxy = new EdgeProxy(httpsPort == -1 ? config : config.withHttps(httpsPort), transport,
                probing.rtt());
        try {
            proxy.start();
        } catch (ProxyException e) {
            probing.close();
            spec.commandLine().getErr().println("outpost proxy: " + e.getMessage());
            return 1;
        }
        probing.reportTo(proxy.metrics());
        RouteWatcher watcher = new RouteWatcher(URI.create(api), secret, probing.routesTo(proxy::update));
        watcher.start();
        proxy.reportLoad(URI.create(api), secret, edgeId != null ? edgeId : region + "-edge");
        proxy.startInstancesVia(URI.create(api), secret, edgeId != null ? edgeId : region + "-edge");
        dev.outpost.proxy.tls.CertificateWatcher certs = new dev.outpost.proxy.tls.CertificateWatcher(URI.create(api), secret,
                proxy::updateCertificates);
        certs.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watcher.close();
            certs.close();
            proxy.close();
            probing.close();
            accessLog.flush();
            stopped.countDown();
        }, "outpost-proxy-shutdown"));
        spec.commandLine().getOut().println("Outpost edge for " + region + " on http://" + hp.host() + ":" + hp.port()
                + admin.map(a -> ", metrics on http://" + a.host() + ":" + a.port() + "/metrics").orElse(""));
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** {@code --admin-listen}, checked before anything starts: empty for {@code none}. */
    private Optional<HostPort> adminListener() {
        if (adminListen.equals("none")) {
            return Optional.empty();
        }
        try {
            return Optional.of(HostPort.parse(spec, "--admin-listen", adminListen));
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + " (e.g. 127.0.0.1:9191, or none for no "
                    + "admin listener)");
        }
    }
}
