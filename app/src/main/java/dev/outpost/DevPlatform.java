package dev.outpost;

import dev.outpost.agent.Agent;
import dev.outpost.agent.AgentConfig;
import dev.outpost.agent.DriverMode;
import dev.outpost.agent.control.ApiControlPlane;
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
 * {@link WanNetwork} link. {@link #close} stops them in reverse order: proxies
 * first, then agents (which stop their instances), then the server and the store.
 */
public final class DevPlatform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DevPlatform.class);

    /** What {@code outpost dev} was asked for. */
    public record Options(List<String> regions, Path dataDir, int apiPort, int httpPort, String db, DriverMode driver,
                          Duration logRetention, int httpsPort, WanMode wan) {
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

    /** One region's edge, for the banner. */
    public record Edge(String region, String address) {}

    private final List<AutoCloseable> parts = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();
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
            OutpostServer server = new OutpostServer(new ServerConfig("127.0.0.1", o.apiPort(), o.dataDir(), o.regions(), o.logRetention()), store, Clock.systemUTC());
            server.start();
            platform = new DevPlatform(token, server.url());
            platform.parts.add(store);
            platform.parts.add(server);
            // Closed after every agent and proxy that talks through it, before the server.
            WanNetwork wan = new WanNetwork(o.wan(), o.regions());
            platform.parts.add(wan);
            long memoryMb = Math.max(1024, Runtime.getRuntime().maxMemory() / (1024 * 1024));
            for (int i = 0; i < o.regions().size(); i++) {
                String region = o.regions().get(i);
                int block = i + 1;
                String edge = "127." + block + ".0.1";
                String hostAddress = "127." + block + ".1.1";
                URI regionApi = wan.api(region, server.url());
                ApiControlPlane control = new ApiControlPlane(regionApi, token);
                platform.parts.add(control);
                Agent agent = new Agent(new AgentConfig(region, region + "-host-1", hostAddress,
                        o.dataDir().resolve("agents").resolve(region), memoryMb, Duration.ofSeconds(2)), control, o.driver());
                platform.parts.add(agent);
                agent.start();
                // Probed by the other regions' edges on the edge's own address, any free port (registered with the server).
                dev.outpost.proxy.control.PeerProbing probing = dev.outpost.proxy.control.PeerProbing.start(regionApi, token,
                        region + "-edge", region, edge, 0, wan.probeDialer(region));
                platform.parts.add(probing);
                // Apps' dedicated addresses (raw TCP, tls, proxy_proto ports): 127.i.2.<offset> (DESIGN §9).
                ProxyConfig proxyConfig = new ProxyConfig(region, edge, o.httpPort()).withDedicatedBlock("127." + block + ".2.0");
                EdgeProxy proxy = new EdgeProxy(o.httpsPort() == NO_HTTPS ? proxyConfig : proxyConfig.withHttps(o.httpsPort()),
                        dev.outpost.proxy.http.Transport.best(), probing.rtt(), wan.dialer(region));
                proxy.start();
                platform.parts.add(proxy);
                proxy.reportLoad(server.url(), token, region + "-edge");
                proxy.startInstancesVia(server.url(), token, region + "-edge");
                if (o.httpsPort() != NO_HTTPS) {
                    dev.outpost.proxy.tls.CertificateWatcher certs = new dev.outpost.proxy.tls.CertificateWatcher(regionApi, token,
                            proxy::updateCertificates);
                    certs.start();
                    platform.parts.add(certs);
                }
                RouteWatcher watcher = new RouteWatcher(regionApi, token, probing.routesTo(proxy::update));
                watcher.start();
                platform.parts.add(watcher);
                platform.edges.add(new Edge(region, edge + ":" + o.httpPort()));
            }
            return platform;
        } catch (RuntimeException | IOException e) {
            if (platform != null) {
                platform.close();
            } else {
                store.close();
            }
            throw e;
        }
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
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", parts.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        parts.clear();
    }
}
