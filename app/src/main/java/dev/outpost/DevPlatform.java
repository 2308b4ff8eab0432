package dev.outpost;

import dev.outpost.agent.Agent;
import dev.outpost.agent.AgentConfig;
import dev.outpost.agent.DriverMode;
import dev.outpost.agent.control.ApiControlPlane;
import dev.outpost.lab.control.DevPart;
import dev.outpost.lab.control.LabControl;
import dev.outpost.lab.wan.WanMode;
import dev.outpost.lab.wan.WanNetwork;
import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.ProxyConfig;
import dev.outpost.proxy.control.RouteWatcher;
import dev.outpost.server.OutpostServer;
import dev.outpost.server.ServerConfig;
import dev.outpost.server.auth.AdminToken;
import dev.outpost.store.Store;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code outpost dev}: the server, then one agent and one edge proxy per region, in one JVM. Region
 * {@code i} (from 1, in the order given) owns {@code 127.i.0.0/16}: its edge listens on
 * {@code 127.i.0.1}, its host's instances on {@code 127.i.1.1}. Agents and proxies talk to the server
 * over its HTTP API like remote ones would; with a WAN mode ({@link Options#wan()}), every connection
 * across regions, theirs to the server (in the first region) included, goes through a
 * {@link WanNetwork} link. The server and each region's agent and proxy are {@link DevPart}s the lab
 * can stop and start ({@link LabControl}). {@link #close} stops them in reverse order: proxies
 * first, then agents (which stop their instances), then the server and the store.
 */
public final class DevPlatform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DevPlatform.class);

    /** What {@code outpost dev} was asked for. */
    public record Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db, DriverMode driver,
                          Duration logRetention, int httpsPort, WanMode wan, dev.outpost.server.meter.Prices prices) {
        /** With the default prices ({@code prices} null). */
        public Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db, DriverMode driver,
                       Duration logRetention, int httpsPort, WanMode wan) {
            this(regions, dataDir, apiPort, httpPort, db, driver, logRetention, httpsPort, wan, null);
        }

        /** Without WAN links between the regions. */
        public Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db, DriverMode driver,
                       Duration logRetention, int httpsPort) {
            this(regions, dataDir, apiPort, httpPort, db, driver, logRetention, httpsPort, WanMode.NONE);
        }

        /** Without HTTPS on the edges. */
        public Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db, DriverMode driver,
                       Duration logRetention) {
            this(regions, dataDir, apiPort, httpPort, db, driver, logRetention, NO_HTTPS);
        }

        public Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db) {
            this(regions, dataDir, apiPort, httpPort, db, DriverMode.AUTO);
        }

        public Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db, DriverMode driver) {
            this(regions, dataDir, apiPort, httpPort, db, driver, ServerConfig.DEFAULT_LOG_RETENTION);
        }
    }

    /** {@link Options#httpsPort()} when the edges have no HTTPS listener. */
    public static final int NO_HTTPS = -1;

    /** One region's edge, for the banner: its HTTP address and its admin listener's ({@code /metrics}). */
    public record Edge(String region, String address, String admin) {}

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
    /** What the lab can stop and start: the server, then each region's agent and proxy. */
    private final List<DevPart> devParts = new ArrayList<>();
    private LabControl labControl;
    private final String adminToken;
    private final URI api;

    private DevPlatform(String adminToken, URI api) {
        this.adminToken = adminToken;
        this.api = api;
    }

    public static DevPlatform start(Options o) throws IOException {
        Store store = Store.open(o.db() != null ? o.db() : o.dataDir().resolve("outpost.db").toString());
        DevPlatform platform = null;
        try {
            String token = AdminToken.ensure(store, o.dataDir());
            // Restarted by the lab on the port it first got, so agents and edges find it again.
            int[] apiPort = {o.apiPort()};
            DevPart serverPart = new DevPart("server", null, () -> {
                OutpostServer server = new OutpostServer(new ServerConfig("127.0.0.1", apiPort[0], o.dataDir(), o.regions(),
                        o.logRetention(), o.prices()), store, Clock.systemUTC());
                server.start();
                apiPort[0] = server.url().getPort();
                return server::close;
            });
            serverPart.start();
            URI serverUrl = URI.create("http://127.0.0.1:" + apiPort[0]);
            platform = new DevPlatform(token, serverUrl);
            platform.parts.add(store);
            platform.parts.add(serverPart);
            platform.devParts.add(serverPart);
            // Closed after every agent and proxy that talks through it, before the server.
            WanNetwork wan = new WanNetwork(o.wan(), o.regions());
            platform.parts.add(wan);
            long memoryMb = Math.max(1024, Runtime.getRuntime().maxMemory() / (1024 * 1024));
            for (int i = 0; i < o.regions().size(); i++) {
                String region = o.regions().get(i);
                int block = i + 1;
                String edge = "127." + block + ".0.1";
                String hostAddress = "127." + block + ".1.1";
                URI regionApi = wan.api(region, serverUrl);
                DevPart agentPart = new DevPart("agent", region, () -> {
                    ApiControlPlane control = new ApiControlPlane(regionApi, token);
                    Agent agent;
                    try {
                        agent = new Agent(new AgentConfig(region, region + "-host-1", hostAddress,
                                o.dataDir().resolve("agents").resolve(region), memoryMb, Duration.ofSeconds(2)), control, o.driver());
                    } catch (RuntimeException e) {
                        control.close();
                        throw e;
                    }
                    agent.start();
                    return new DevPart.Running() {
                        @Override
                        public void stop() {
                            agent.halt(); // a crash: its instances run on, the next agent re-adopts them
                            control.close();
                        }

                        @Override
                        public void close() {
                            agent.close();
                            control.close();
                        }
                    };
                }, true);
                platform.parts.add(agentPart);
                platform.devParts.add(agentPart);
                agentPart.start();
                // The admin (metrics) port is free on the first start and kept across lab restarts.
                int[] adminPort = {0};
                DevPart proxyPart = new DevPart("proxy", region, () -> {
                    List<AutoCloseable> pieces = new ArrayList<>();
                    DevPart.Running running = () -> closeReversed(pieces);
                    try {
                        // Probed by the other regions' edges on the edge's own address, any free port (registered with the server).
                        // Apps' dedicated addresses (raw TCP, tls, proxy_proto ports): 127.i.2.<offset> (DESIGN §9), reported to the server.
                        String dedicatedBlock = "127." + block + ".2.0";
                        dev.outpost.proxy.control.PeerProbing probing = dev.outpost.proxy.control.PeerProbing.start(regionApi, token,
                                region + "-edge", region, edge, 0, wan.probeDialer(region), dedicatedBlock);
                        pieces.add(probing);
                        // Metrics on a free port of the edge's address, printed in the banner.
                        ProxyConfig proxyConfig = new ProxyConfig(region, edge, o.httpPort()).withDedicatedBlock(dedicatedBlock)
                                .withAdmin(edge, adminPort[0]);
                        EdgeProxy proxy = new EdgeProxy(o.httpsPort() == NO_HTTPS ? proxyConfig : proxyConfig.withHttps(o.httpsPort()),
                                dev.outpost.proxy.http.Transport.best(), probing.rtt(), wan.dialer(region));
                        proxy.start();
                        pieces.add(proxy);
                        adminPort[0] = proxy.adminAddress().getPort();
                        proxy.reportLoad(serverUrl, token, region + "-edge");
                        proxy.startInstancesVia(regionApi, token, region + "-edge");
                        if (o.httpsPort() != NO_HTTPS) {
                            dev.outpost.proxy.tls.CertificateWatcher certs = new dev.outpost.proxy.tls.CertificateWatcher(regionApi, token,
                                    proxy::updateCertificates);
                            certs.start();
                            pieces.add(certs);
                        }
                        probing.reportTo(proxy.metrics());
                        RouteWatcher watcher = new RouteWatcher(regionApi, token, probing.routesTo(proxy::update));
                        watcher.start();
                        pieces.add(watcher);
                    } catch (RuntimeException e) {
                        running.close();
                        throw e;
                    }
                    return running;
                });
                platform.parts.add(proxyPart);
                platform.devParts.add(proxyPart);
                proxyPart.start();
                platform.edges.add(new Edge(region, edge + ":" + o.httpPort(), edge + ":" + adminPort[0]));
            }
            platform.labControl = LabControl.start(platform.devParts, token);
            platform.parts.add(platform.labControl);
            return platform;
        } catch (Exception e) {
            if (platform != null) {
                platform.close();
            } else {
                store.close();
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Closes {@code pieces} last first; what fails to close is logged. */
    private static void closeReversed(List<AutoCloseable> pieces) {
        for (int i = pieces.size() - 1; i >= 0; i--) {
            try {
                pieces.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", pieces.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        pieces.clear();
    }

    /** The lab's control endpoint, for {@code outpost lab stop|start|parts}. */
    public LabControl labControl() {
        return labControl;
    }

    public URI api() {
        return api;
    }

    public String adminToken() {
        return adminToken;
    }

    public List<Edge> edges() {
        return List.copyOf(edges);
    }

    @Override
    public void close() {
        closeReversed(parts);
    }
}
