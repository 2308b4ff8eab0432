package dev.outpost.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.EdgeProxy;
import dev.outpost.proxy.ProxyConfig;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.Routes;
import io.micrometer.core.instrument.Counter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Raw TCP, {@code tls} and {@code proxy_proto} ports on dedicated addresses over real loopback sockets: the
 * edge's dedicated block is {@value #BLOCK} (no other test uses 127.77/16), instances are {@link TcpInstance}s.
 */
class TcpListenersTest {
    static final String BLOCK = "127.77.2.0";
    final ProxyFixture fixture = new ProxyFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    static RoutingTable.AppRoute tcpApp(String name, int offset, List<RoutingTable.PortRoute> ports, RoutingTable.Target... targets) {
        return new RoutingTable.AppRoute(name, 20, 25, "connections", List.of(targets), offset, ports, false, null, false, List.of());
    }

    static RoutingTable.PortRoute port(int port, int proxyVersion, String... handlers) {
        return new RoutingTable.PortRoute(port, List.of(handlers), proxyVersion);
    }

    /** A port free on {@code address} now (the test binds it right after). */
    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    EdgeProxy proxy(RoutingTable table) {
        return fixture.proxy(new ProxyConfig("iad", "127.0.0.1", 0).withDedicatedBlock(BLOCK), table);
    }

    TcpInstance instance(int proxyVersion) throws IOException {
        return fixture.closing(new TcpInstance(proxyVersion));
    }

    Socket connect(String address, int port) throws IOException {
        Socket socket = fixture.closing(new Socket());
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress(address, port), 5_000);
        return socket;
    }

    static String roundTrip(Socket socket, String message) throws IOException {
        socket.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return read(socket, message.length());
    }

    static String read(Socket socket, int length) throws IOException {
        byte[] back = new byte[length];
        new DataInputStream(socket.getInputStream()).readFully(back);
        return new String(back, StandardCharsets.US_ASCII);
    }

    static double count(EdgeProxy proxy, String app, String outcome) {
        Counter c = proxy.metrics().registry().find("outpost.tcp.connections").tag("app", app).tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void rawTcpIsEchoedThroughTheDedicatedAddressAndCountsAgainstTheInstance() throws Exception {
        TcpInstance echo = instance(0);
        int port = freePort("127.77.2.3");
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("db", 3, List.of(port(port, 1)), Routes.target("db-1", "iad", echo.port()))));

        Socket client = connect("127.77.2.3", port);

        assertThat(roundTrip(client, "hello, db\n")).isEqualTo("hello, db\n");
        assertThat(roundTrip(client, "again")).isEqualTo("again");
        assertThat(count(proxy, "db", "relayed")).isEqualTo(1);
        assertThat(proxy.tcp().address("db", port)).contains(new InetSocketAddress("127.77.2.3", port));
        assertThat(upstream(proxy, "db").inFlight()).as("the open connection is the instance's load").isEqualTo(1);

        client.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream(proxy, "db").inFlight() == 0);
    }

    @Test
    void aConnectionSilentBothWaysForItsPortsIdleTimeoutIsClosedWhileTrafficKeepsOneOpen() throws Exception {
        TcpInstance echo = instance(0);
        int port = freePort("127.77.2.4");
        RoutingTable.PortRoute idle = new RoutingTable.PortRoute(port, List.of(), 1, Duration.ofMillis(600));
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("db", 4, List.of(idle), Routes.target("db-1", "iad", echo.port()))));

        Socket client = connect("127.77.2.4", port);
        long start = System.nanoTime();
        // Bytes every 300 ms for 1.5 s, two and a half timeouts: the connection stays open.
        long lastByte = 0;
        for (int i = 0; i < 5; i++) {
            if (i > 0) {
                Thread.sleep(300); // the user's pace, not a wait for a condition
            }
            assertThat(roundTrip(client, "ping " + i)).isEqualTo("ping " + i);
            lastByte = System.nanoTime();
        }
        assertThat(Duration.ofNanos(lastByte - start)).isGreaterThan(Duration.ofMillis(1200));

        assertThat(client.getInputStream().read()).as("closed by the edge after 600 ms of silence").isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - lastByte)).isBetween(Duration.ofMillis(550), Duration.ofSeconds(5));
        assertThat(proxy.metrics().registry().find("outpost.tcp.idle.closes").tag("app", "db").counter().count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream(proxy, "db").inFlight() == 0);
    }

    @Test
    void aPortWithoutAnIdleTimeoutGetsTheOneHourDefault() throws Exception {
        int port = freePort("127.77.2.4");
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("db", 4, List.of(port(port, 1)), Routes.target("db-1", "iad", 1))));

        assertThat(proxy.tcp().services()).extracting(TcpService::idleTimeout).containsExactly(Duration.ofHours(1));
    }

    /** {@code db} with autostart on, its one instance stopped, and a TCP port on offset 9. */
    static RoutingTable.AppRoute stoppedDb(int port) {
        return new RoutingTable.AppRoute("db", 20, 25, "connections", List.of(), 9, List.of(port(port, 1)), false, null, true,
                List.of(new RoutingTable.Target("db-1", "iad", "127.0.0.1", 0, 1)));
    }

    @Test
    void connectionsToAnAutostartAppWithEveryInstanceStoppedShareOneStartAndAreRelayedOnceItIsListed() throws Exception {
        TcpInstance echo = instance(0);
        int port = freePort("127.77.2.9");
        EdgeProxy proxy = proxy(Routes.table(1, stoppedDb(port)));
        List<String> starts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        proxy.startInstancesWith((app, instanceId) -> {
            starts.add(app + "/" + instanceId);
            // The instance comes up a moment later, as a real start does, and the next table lists it.
            java.util.concurrent.CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS).execute(() ->
                    proxy.update(Routes.table(2, tcpApp("db", 9, List.of(port(port, 1)), Routes.target("db-1", "iad", echo.port())))));
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        });

        Socket first = connect("127.77.2.9", port);
        Socket second = connect("127.77.2.9", port);
        // Sent while the instance is still stopped: the bytes wait in the kernel and arrive first.
        first.getOutputStream().write("sent early".getBytes(StandardCharsets.US_ASCII));
        first.getOutputStream().flush();

        assertThat(read(first, "sent early".length())).isEqualTo("sent early");
        assertThat(roundTrip(second, "second")).isEqualTo("second");
        assertThat(starts).containsExactly("db/db-1");
        assertThat(count(proxy, "db", "relayed")).isEqualTo(2);
        assertThat(proxy.metrics().registry().find("outpost.proxy.autostart.hold").tag("outcome", "served").timer().count())
                .isEqualTo(2);
    }

    @Test
    void aConnectionWhoseStartFailsOrNeverComesIsClosedAndCounted() throws Exception {
        int port = freePort("127.77.2.9");
        EdgeProxy proxy = fixture.proxy(new ProxyConfig("iad", "127.0.0.1", 0).withDedicatedBlock(BLOCK)
                        .withLimits(dev.outpost.proxy.http.ProxyLimits.defaults().toBuilder().autostartTimeout(Duration.ofMillis(400)).build()),
                Routes.table(1, stoppedDb(port)));
        proxy.startInstancesWith((app, instanceId) -> java.util.concurrent.CompletableFuture.failedFuture(
                new IllegalStateException("the server refused: app db is suspended")));

        Socket refused = connect("127.77.2.9", port);
        assertThat(refused.getInputStream().read()).isEqualTo(-1);
        await().atMost(Duration.ofSeconds(5)).until(() -> count(proxy, "db", "autostart_failed") == 1);

        // A start that is accepted but never shows up in a table: the connection waits out the timeout.
        proxy.startInstancesWith((app, instanceId) -> java.util.concurrent.CompletableFuture.completedFuture(null));
        Socket waiting = connect("127.77.2.9", port);
        long began = System.nanoTime();
        assertThat(waiting.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> count(proxy, "db", "autostart_timeout") == 1);
    }

    static dev.outpost.proxy.routing.Upstream upstream(EdgeProxy proxy, String app) {
        return proxy.routes().app(app).orElseThrow().upstreams().getFirst();
    }

    @Test
    void sixtyFourMegabytesToASlowReaderStallTheWriterThenArriveIntact() throws Exception {
        TcpInstance slow = fixture.closing(new TcpInstance(0, false));
        int port = freePort("127.77.2.4");
        proxy(Routes.table(1, tcpApp("bulk", 4, List.of(port(port, 1)), Routes.target("bulk-1", "iad", slow.port()))));
        Socket client = new Socket();
        fixture.closing(client);
        client.setReceiveBufferSize(64 * 1024);
        client.setSendBufferSize(64 * 1024);
        client.setSoTimeout(20_000);
        client.connect(new InetSocketAddress("127.77.2.4", port), 5_000);
        // More than the kernel buffers on the way can hold: Linux autotunes a socket's receive buffer up to
        // net.ipv4.tcp_rmem's maximum (32 MiB on some hosts), so 8 MiB could fit without any backpressure.
        byte[] payload = new byte[64 * 1024 * 1024];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + (i >>> 13));
        }
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = client.getOutputStream();
                for (int off = 0; off < payload.length; off += 16 * 1024) {
                    out.write(payload, off, 16 * 1024);
                    written.addAndGet(16 * 1024);
                }
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        // The instance reads nothing yet: the buffers on the way fill, and then the writer must stop.
        AtomicLong last = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            long now = written.get();
            return now == last.getAndSet(now) && now > 0;
        });
        assertThat(written.get()).as("the writer stalled before sending everything: nothing buffers without bound")
                .isLessThan(payload.length);
        assertThat(writer).isNotDone();

        slow.gate.countDown();
        byte[] back = new byte[payload.length];
        new DataInputStream(client.getInputStream()).readFully(back);
        writer.get(20, TimeUnit.SECONDS);
        assertThat(Arrays.equals(back, payload)).as("64 MiB echoed intact, in order").isTrue();
    }

    @Test
    void proxyProtocolV1AndV2TellTheInstanceTheClientsAddressAndPort() throws Exception {
        TcpInstance v1 = instance(1);
        TcpInstance v2 = instance(2);
        int p1 = freePort("127.77.2.5");
        int p2 = freePort("127.77.2.6");
        proxy(Routes.table(1,
                tcpApp("pg", 5, List.of(port(p1, 1, "proxy_proto")), Routes.target("pg-1", "iad", v1.port())),
                tcpApp("pg2", 6, List.of(port(p2, 2, "proxy_proto")), Routes.target("pg2-1", "iad", v2.port()))));

        Socket c1 = connect("127.77.2.5", p1);
        Socket c2 = connect("127.77.2.6", p2);

        assertThat(roundTrip(c1, "select 1")).isEqualTo("select 1");
        assertThat(roundTrip(c2, "select 2")).isEqualTo("select 2");
        assertThat(v1.headers).containsExactly(new TcpInstance.Seen("127.0.0.1", c1.getLocalPort(), "127.77.2.5", p1));
        assertThat(v2.headers).containsExactly(new TcpInstance.Seen("127.0.0.1", c2.getLocalPort(), "127.77.2.6", p2));
        assertThat(v1.failures).isEmpty();
        assertThat(v2.failures).isEmpty();
    }

    @Test
    void tlsIsTerminatedAtTheEdgeAndTheInstanceSeesPlaintextAfterItsProxyHeader() throws Exception {
        TcpInstance plain = instance(0);
        TcpInstance withHeader = instance(2);
        int p1 = freePort("127.77.2.7");
        int p2 = freePort("127.77.2.8");
        proxy(Routes.table(1,
                tcpApp("secure", 7, List.of(port(p1, 1, "tls")), Routes.target("secure-1", "iad", plain.port())),
                tcpApp("secure2", 8, List.of(port(p2, 2, "tls", "proxy_proto")), Routes.target("secure2-1", "iad", withHeader.port()))));

        try (SSLSocket tls = tlsClient("127.77.2.7", p1, "secure.outpost.localhost")) {
            X509Certificate leaf = (X509Certificate) tls.getSession().getPeerCertificates()[0];
            assertThat(leaf.getSubjectX500Principal().getName()).contains("outpost.localhost");
            assertThat(roundTrip(tls, "plaintext inside")).isEqualTo("plaintext inside");
        }
        try (SSLSocket tls = tlsClient("127.77.2.8", p2, "secure2.outpost.localhost")) {
            assertThat(roundTrip(tls, "after the header")).isEqualTo("after the header");
            assertThat(withHeader.headers).containsExactly(new TcpInstance.Seen("127.0.0.1", tls.getLocalPort(), "127.77.2.8", p2));
        }
        assertThat(plain.failures).isEmpty();
    }

    static SSLSocket tlsClient(String address, int port, String sni) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAll()}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getByName(address), port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    @Test
    void aRefusedConnectIsRetriedOnAnotherInstanceAndTheDeadOneIsEjected() throws Exception {
        TcpInstance live = instance(0);
        int port = freePort("127.77.2.9");
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("flaky", 9, List.of(port(port, 1)),
                Routes.dead("flaky-dead", "iad"), Routes.target("flaky-live", "iad", live.port()))));

        for (int i = 0; i < 4; i++) {
            try (Socket client = connect("127.77.2.9", port)) {
                assertThat(roundTrip(client, "try " + i)).isEqualTo("try " + i);
            }
        }

        assertThat(live.connections()).isEqualTo(4);
        assertThat(proxy.routes().app("flaky").orElseThrow().instance("flaky-dead").orElseThrow().isEjected(System.nanoTime())).isTrue();
        assertThat(count(proxy, "flaky", "relayed")).isEqualTo(4);
    }

    @Test
    void anAppWithNoInstanceGetsItsConnectionsClosedAndCounted() throws Exception {
        int port = freePort("127.77.2.10");
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("empty", 10, List.of(port(port, 1)))));

        try (Socket client = connect("127.77.2.10", port)) {
            assertThat(client.getInputStream().read()).as("closed without a byte").isEqualTo(-1);
        }
        assertThat(count(proxy, "empty", "no_candidate")).isEqualTo(1);
    }

    @Test
    void connectionsCountAgainstTheHardLimitAndOneOverItIsClosed() throws Exception {
        TcpInstance echo = instance(0);
        int port = freePort("127.77.2.14");
        RoutingTable.AppRoute app = new RoutingTable.AppRoute("small", 1, 1, "connections",
                List.of(Routes.target("small-1", "iad", echo.port())), 14, List.of(port(port, 1)), false, null, false, List.of());
        EdgeProxy proxy = proxy(Routes.table(1, app));
        Socket first = connect("127.77.2.14", port);
        assertThat(roundTrip(first, "one")).isEqualTo("one");

        try (Socket second = connect("127.77.2.14", port)) {
            assertThat(second.getInputStream().read()).as("over the hard limit of 1: closed").isEqualTo(-1);
        }
        assertThat(count(proxy, "small", "at_capacity")).isEqualTo(1);

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream(proxy, "small").inFlight() == 0);
        try (Socket third = connect("127.77.2.14", port)) {
            assertThat(roundTrip(third, "room again")).isEqualTo("room again");
        }
    }

    @Test
    void aRoutingChangeUnbindsTheListenerButAnOpenConnectionKeepsWorkingUntilClosed() throws Exception {
        TcpInstance echo = instance(0);
        int port = freePort("127.77.2.11");
        RoutingTable.Target target = Routes.target("gone-1", "iad", echo.port());
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("gone", 11, List.of(port(port, 1)), target)));
        Socket open = connect("127.77.2.11", port);
        assertThat(roundTrip(open, "before")).isEqualTo("before");

        proxy.update(Routes.table(2, tcpApp("gone", 11, List.of(port(port, 1, "http")), target)));

        assertThat(proxy.tcp().services()).isEmpty();
        assertThat(roundTrip(open, "still here")).isEqualTo("still here");
        assertThatThrownBy(() -> connect("127.77.2.11", port)).isInstanceOf(ConnectException.class);
        open.close();
    }

    @Test
    void aFailedBindLeavesTheOtherListenersWorking() throws Exception {
        TcpInstance echo = instance(0);
        int busy = freePort("127.77.2.12");
        int fine = freePort("127.77.2.13");
        try (ServerSocket squatter = new ServerSocket(busy, 1, InetAddress.getByName("127.77.2.12"))) {
            EdgeProxy proxy = proxy(Routes.table(1,
                    tcpApp("taken", 12, List.of(port(busy, 1)), Routes.target("taken-1", "iad", echo.port())),
                    tcpApp("free", 13, List.of(port(fine, 1)), Routes.target("free-1", "iad", echo.port()))));

            assertThat(proxy.tcp().address("taken", busy)).isEmpty();
            try (Socket client = connect("127.77.2.13", fine)) {
                assertThat(roundTrip(client, "works")).isEqualTo("works");
            }
            assertThat(squatter.isBound()).isTrue();
        }
    }

    @Test
    void aHalfClosePassesBothWaysAndTheOtherDirectionKeepsWorking() throws Exception {
        TcpInstance answersAfterEof = instance(0);
        answersAfterEof.afterEof = " and goodbye";
        TcpInstance greetsThenListens = instance(1);
        greetsThenListens.greeting = "hello, then silence";
        int p1 = freePort("127.77.2.15");
        int p2 = freePort("127.77.2.16");
        EdgeProxy proxy = proxy(Routes.table(1,
                tcpApp("ask", 15, List.of(port(p1, 1)), Routes.target("ask-1", "iad", answersAfterEof.port())),
                tcpApp("tell", 16, List.of(port(p2, 1, "proxy_proto")), Routes.target("tell-1", "iad", greetsThenListens.port()))));

        // The client shuts its write side: the instance sees EOF and still answers.
        Socket asker = connect("127.77.2.15", p1);
        asker.getOutputStream().write("question".getBytes(StandardCharsets.US_ASCII));
        asker.shutdownOutput();
        assertThat(new String(asker.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("question and goodbye");

        // The instance shuts its write side: the client sees EOF and can still send.
        Socket told = connect("127.77.2.16", p2);
        assertThat(new String(told.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, then silence");
        told.getOutputStream().write("still talking".getBytes(StandardCharsets.US_ASCII));
        told.shutdownOutput();
        assertThat(greetsThenListens.received.poll(5, TimeUnit.SECONDS)).isEqualTo("still talking");
        assertThat(greetsThenListens.headers).hasSize(1);

        // Both directions shut: the edge closes both connections and uncounts them.
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream(proxy, "ask").inFlight() == 0 && upstream(proxy, "tell").inFlight() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.tcp().openConnections() == 0);
        assertThat(answersAfterEof.failures).isEmpty();
        assertThat(greetsThenListens.failures).isEmpty();
    }

    @Test
    void bytesSentWhileTheInstanceConnectionIsStillBeingMadeArriveFirstAndWhole() throws Exception {
        TcpInstance live = instance(0);
        // A listener whose accept queue is full: connecting to it hangs until the edge's connect timeout.
        try (ServerSocket stuck = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket filler = new Socket();
                    fillers.add(filler);
                    try {
                        filler.connect(stuck.getLocalSocketAddress(), 300);
                    } catch (java.net.SocketTimeoutException full) {
                        break;
                    }
                }
                int p1 = freePort("127.77.2.17");
                int p2 = freePort("127.77.2.18");
                // The stuck instance is local, so it is tried first; the live one is in another region.
                EdgeProxy proxy = proxy(Routes.table(1,
                        tcpApp("early", 17, List.of(port(p1, 1)), Routes.target("early-stuck", "iad", stuck.getLocalPort()),
                                Routes.target("early-live", "ams", live.port())),
                        tcpApp("early-tls", 18, List.of(port(p2, 1, "tls")), Routes.target("tls-stuck", "iad", stuck.getLocalPort()),
                                Routes.target("tls-live", "ams", live.port()))));

                Socket raw = connect("127.77.2.17", p1);
                raw.getOutputStream().write("sent at once".getBytes(StandardCharsets.US_ASCII));
                SSLSocket tls = fixture.closing(tlsClient("127.77.2.18", p2, "early-tls.outpost.localhost"));
                // Written right after the handshake, while the edge still waits for the stuck instance.
                tls.getOutputStream().write("sent with the handshake".getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();

                assertThat(read(raw, "sent at once".length())).isEqualTo("sent at once");
                assertThat(roundTrip(raw, "then more")).isEqualTo("then more");
                assertThat(read(tls, "sent with the handshake".length())).isEqualTo("sent with the handshake");
                assertThat(count(proxy, "early", "relayed")).isEqualTo(1);
                assertThat(count(proxy, "early-tls", "relayed")).isEqualTo(1);
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void aSuspendedAppHasItsConnectionsClosedAtOnceAndCounted() throws Exception {
        TcpInstance echo = instance(0);
        int port = freePort("127.77.2.19");
        RoutingTable.AppRoute suspended = new RoutingTable.AppRoute("broke", 20, 25, "connections",
                List.of(Routes.target("broke-1", "iad", echo.port())), 19, List.of(port(port, 1)), false,
                "monthly budget of $5.00 reached for broke", false, List.of());
        EdgeProxy proxy = proxy(Routes.table(1, suspended));

        try (Socket client = connect("127.77.2.19", port)) {
            assertThat(client.getInputStream().read()).as("closed without a byte").isEqualTo(-1);
        }
        assertThat(count(proxy, "broke", "suspended")).isEqualTo(1);
        assertThat(echo.connections()).isZero();
    }

    @Test
    void aGracefulShutdownStopsListeningAndLetsAnOpenConnectionFinish() throws Exception {
        TcpInstance echo = instance(0);
        echo.afterEof = " (last words)";
        int port = freePort("127.77.2.20");
        EdgeProxy proxy = proxy(Routes.table(1, tcpApp("drain", 20, List.of(port(port, 1)), Routes.target("drain-1", "iad", echo.port()))));
        Socket open = connect("127.77.2.20", port);
        assertThat(roundTrip(open, "before")).isEqualTo("before");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThatThrownBy(() -> connect("127.77.2.20", port)).isInstanceOf(ConnectException.class));
        assertThat(closing).isNotDone();
        assertThat(roundTrip(open, "during the drain")).isEqualTo("during the drain");
        open.shutdownOutput();
        assertThat(new String(open.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(" (last words)");
        closing.get(10, TimeUnit.SECONDS);
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // A server-side check, never called on a client socket.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // The test asserts on the certificate itself instead of trusting a CA.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
