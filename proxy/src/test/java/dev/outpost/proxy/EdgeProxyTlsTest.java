package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.EdgeCertificates;
import dev.outpost.proxy.testing.CannedInstance;
import dev.outpost.proxy.testing.Curl;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.ProxyFixture;
import dev.outpost.proxy.testing.TestCertificates;
import dev.outpost.proxy.testing.TlsClient;
import dev.outpost.proxy.tls.SelfSignedDefault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS listener and HTTP/2 over real sockets: SNI certificates, ALPN, h2c, and certificate swaps under load. */
class EdgeProxyTlsTest {
    private static final String HOST = "hello.outpost.localhost";

    @TempDir
    Path dir;

    private final ProxyFixture fx = new ProxyFixture();
    private InstanceServer instance;
    private EdgeProxy proxy;

    @BeforeEach
    void setUp() throws Exception {
        instance = fx.instance("a", "iad");
        proxy = fx.proxy(new ProxyConfig("iad", "127.0.0.1", 0).withHttps(0), table(1, app("hello", instance.target())));
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    private int httpsPort() {
        return proxy.httpsAddress().getPort();
    }

    private String[] curlHttps(String... args) {
        List<String> all = new ArrayList<>(List.of("-sS", "--max-time", "10", "--resolve", HOST + ":" + httpsPort() + ":127.0.0.1"));
        all.addAll(List.of(args));
        all.add("https://" + HOST + ":" + httpsPort() + "/");
        return all.toArray(String[]::new);
    }

    @Test
    void anUploadOverTlsThatTheInstanceRefusesEarlyGetsTheRefusalAfterSendingItAll() throws Exception {
        CannedInstance refusing = fx.closing(new CannedInstance("refusing-1", "iad",
                "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 10\r\nConnection: close\r\n\r\ntoo large\n"));
        proxy.update(table(2, app("hello", refusing.target())));
        int bodyBytes = 8 * 1024 * 1024;

        // The client writes the whole body before it reads. The edge ends TLS (close_notify), then its side, and drops
        // the rest of the upload: the write completes and the refusal is there to read, where a plain close reset both.
        TlsClient.Exchange exchange = TlsClient.send(httpsPort(), HOST, "POST / HTTP/1.1\r\nHost: " + HOST
                + "\r\nContent-Length: " + bodyBytes + "\r\n\r\n" + "\0".repeat(bodyBytes));

        assertThat(exchange.status()).isEqualTo(413);
        assertThat(exchange.response()).endsWith("\r\n\r\ntoo large\n");
    }

    @Test
    void aHostWithoutImportedCertificateGetsTheSelfSignedDefault() throws Exception {
        TlsClient.Exchange exchange = TlsClient.get(httpsPort(), HOST, HOST, "/");

        assertThat(exchange.leaf().getSubjectX500Principal().getName()).contains("CN=" + SelfSignedDefault.WILDCARD);
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.response()).contains("instance=a").containsIgnoringCase("x-forwarded-proto=https");
    }

    @Test
    void aRequestWithoutHostIsRoutedByItsTlsServerName() throws Exception {
        TlsClient.Exchange exchange = TlsClient.send(httpsPort(), HOST, "GET / HTTP/1.0\r\n\r\n");

        assertThat(exchange.status()).as(exchange.response()).isEqualTo(200);
        assertThat(exchange.response()).contains("instance=a").contains("h:host=" + HOST);
    }

    @Test
    void closingTheProxyLetsAnHttp2StreamInFlightFinish() throws Exception {
        Curl.require();
        int port = proxy.httpAddress().getPort();
        java.util.concurrent.CompletableFuture<Curl.Result> curl = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Curl.run("curl", "-sS", "--max-time", "20", "--http2-prior-knowledge", "--resolve", HOST + ":" + port + ":127.0.0.1",
                        "http://" + HOST + ":" + port + "/hold");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> instance.held() == 1);
        Thread closer = Thread.ofVirtual().start(proxy::close);
        // The listener is closed first: new connections are refused while the stream finishes.
        await().atMost(Duration.ofSeconds(5)).until(() -> !canConnect(port));
        instance.releaseHeld();
        closer.join();

        Curl.Result result = curl.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("instance=a");
    }

    private static boolean canConnect(int port) {
        try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void curlReachesTheAppOverHttpsWithTheDefaultCertificate() throws Exception {
        Curl.require();
        Curl.Result result = Curl.run("curl", curlHttps("-k", "-w", "\n%{http_code} %{http_version}"));

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("instance=a").endsWith("200 2");
    }

    @Test
    void anImportedCertificateIsServedForItsHostAndTrustedThroughItsCa() throws Exception {
        Curl.require();
        TestCertificates.Issued ca = TestCertificates.ca("Outpost Test CA");
        TestCertificates.Issued leaf = TestCertificates.leaf(ca, HOST);
        Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());

        proxy.updateCertificates(new EdgeCertificates(5, List.of(new EdgeCertificates.Entry(HOST, leaf.certificatePem(), leaf.keyPem()))));

        Curl.Result http1 = Curl.run("curl", curlHttps("--cacert", caFile.toString(), "--http1.1", "-w", "\n%{http_version}"));
        assertThat(http1.exit()).as(http1.err()).isZero();
        assertThat(http1.out()).contains("instance=a").endsWith("1.1");
        Curl.Result http2 = Curl.run("curl", curlHttps("--cacert", caFile.toString(), "--http2", "-w", "\n%{http_version}"));
        assertThat(http2.exit()).as(http2.err()).isZero();
        assertThat(http2.out()).contains("instance=a").endsWith("\n2");
        // The instance sees the request as HTTP/1.1 would have sent it: no x-http2-* conversion headers.
        assertThat(http2.out()).contains("h:x-forwarded-proto=https").doesNotContain("x-http2");
        // Another name under the wildcard still gets the default.
        assertThat(TlsClient.get(httpsPort(), "other.outpost.localhost", HOST, "/").leaf().getSubjectX500Principal().getName())
                .contains("CN=" + SelfSignedDefault.WILDCARD);
    }

    @Test
    void tls12AndTls13AreBothOffered() throws Exception {
        Curl.require();
        for (String version : List.of("--tlsv1.2", "--tlsv1.3")) {
            String max = version.equals("--tlsv1.2") ? "1.2" : "1.3";
            Curl.Result result = Curl.run("curl", curlHttps("-k", version, "--tls-max", max, "-w", "\n%{http_code}"));
            assertThat(result.exit()).as(version + ": " + result.err()).isZero();
            assertThat(result.out()).endsWith("200");
        }
    }

    @Test
    void h2cWithPriorKnowledgeOnThePlainPortReachesTheApp() throws Exception {
        Curl.require();
        int port = proxy.httpAddress().getPort();
        Curl.Result result = Curl.run("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge",
                "--resolve", HOST + ":" + port + ":127.0.0.1", "-w", "\n%{http_version}", "http://" + HOST + ":" + port + "/");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("instance=a").endsWith("\n2");
        // HTTP/1.1 on the same port still works.
        assertThat(fx.get(proxy, HOST, "/").body()).contains("instance=a");
    }

    @Test
    void h2loadOverTlsAndH2cCompletesEveryRequest() throws Exception {
        dev.outpost.core.testing.TestRequire.component("h2load", Curl.onPath("h2load"),
                "h2load is not on PATH (apt-get install -y nghttp2-client)");
        for (String uri : List.of("https://127.0.0.1:" + httpsPort() + "/", "http://127.0.0.1:" + proxy.httpAddress().getPort() + "/")) {
            Curl.Result result = Curl.run("h2load", "-n", "400", "-c", "4", "-m", "10", "-H", ":authority: " + HOST, uri);

            assertThat(result.exit()).as(result.out() + result.err()).isZero();
            assertThat(result.out()).as(uri).contains("requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored");
            assertThat(result.out()).contains("status codes: 400 2xx");
        }
        assertThat(instance.requests()).isGreaterThanOrEqualTo(800);
    }

    @Test
    void anIdleHttp2ConnectionIsClosed() throws Exception {
        EdgeProxy quick = fx.proxy(new ProxyConfig("iad", "127.0.0.1", 0)
                .withLimits(dev.outpost.proxy.http.ProxyLimits.builder().clientIdleTimeout(Duration.ofMillis(300)).build()),
                table(1, app("hello", instance.target())));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", quick.httpAddress().getPort())) {
            socket.setSoTimeout(5000);
            // The h2c preface and an empty SETTINGS frame, then nothing.
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
            socket.getOutputStream().flush();
            long start = System.nanoTime();
            // The server's SETTINGS, its ACK, then GOAWAY and the end of the stream.
            byte[] received = socket.getInputStream().readAllBytes();

            assertThat(received.length).isGreaterThan(9);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void aCertificateSwapUnderLoadFailsNoRequestAndTheNextHandshakeSeesTheNewCertificate() throws Exception {
        TestCertificates.Issued ca = TestCertificates.ca("Outpost Test CA");
        TestCertificates.Issued first = TestCertificates.leaf(ca, HOST);
        TestCertificates.Issued second = TestCertificates.leaf(ca, HOST);
        proxy.updateCertificates(new EdgeCertificates(1, List.of(new EdgeCertificates.Entry(HOST, first.certificatePem(), first.keyPem()))));
        assertThat(TlsClient.get(httpsPort(), HOST, HOST, "/").leaf()).isEqualTo(first.certificate());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(load.submit(() -> {
                while (running.get()) {
                    try {
                        TlsClient.Exchange exchange = TlsClient.get(httpsPort(), HOST, HOST, "/");
                        if (exchange.status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add("status " + exchange.status());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 20);
        proxy.updateCertificates(new EdgeCertificates(2, List.of(new EdgeCertificates.Entry(HOST, second.certificatePem(), second.keyPem()))));
        int atSwap = ok.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= atSwap + 20);
        running.set(false);
        for (Future<?> worker : workers) {
            worker.get();
        }
        load.close();

        assertThat(failures).isEmpty();
        assertThat(TlsClient.get(httpsPort(), HOST, HOST, "/").leaf()).isEqualTo(second.certificate());
    }

    @Test
    void aConnectionOpenedBeforeASwapKeepsWorking() throws Exception {
        Curl.require();
        // curl with two URLs reuses one HTTP/2 connection; the swap happens while the first response is held.
        TestCertificates.Issued ca = TestCertificates.ca("Outpost Test CA");
        TestCertificates.Issued first = TestCertificates.leaf(ca, HOST);
        proxy.updateCertificates(new EdgeCertificates(1, List.of(new EdgeCertificates.Entry(HOST, first.certificatePem(), first.keyPem()))));
        Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        Thread swapper = Thread.ofVirtual().start(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> instance.held() == 1);
            proxy.updateCertificates(new EdgeCertificates(2, List.of()));
            instance.releaseHeld();
        });
        String base = "https://" + HOST + ":" + httpsPort();
        Curl.Result result = Curl.run("curl", "-sS", "--max-time", "20", "--http2", "--cacert", caFile.toString(),
                "--resolve", HOST + ":" + httpsPort() + ":127.0.0.1", "-w", "%{num_connects}\n", base + "/hold", base + "/");
        swapper.join();

        // Both requests succeeded on the connection verified against the first certificate, though the edge now serves the default.
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out().lines().filter(l -> l.startsWith("instance=a")).count()).isEqualTo(2);
        // num_connects: the first request opened the connection, the second reused it.
        assertThat(result.out().lines().filter(l -> l.matches("\\d+")).toList()).containsExactly("1", "0");
        assertThat(TlsClient.get(httpsPort(), HOST, HOST, "/").leaf().getSubjectX500Principal().getName())
                .contains("CN=" + SelfSignedDefault.WILDCARD);
    }
}
