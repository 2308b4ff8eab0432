package dev.outpost.proxy;

import static dev.outpost.proxy.testing.Routes.app;
import static dev.outpost.proxy.testing.Routes.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.core.api.RoutingTable;
import dev.outpost.proxy.testing.CannedInstance;
import dev.outpost.proxy.testing.InstanceServer;
import dev.outpost.proxy.testing.PatternedBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bodies streamed both ways, upstream keep-alive, and routing-table swaps under load, over real sockets. */
class EdgeProxyStreamingTest {
    private static final long TWENTY_MB = 20L * 1024 * 1024;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<InstanceServer> instances = new ArrayList<>();
    private EdgeProxy proxy;

    @BeforeEach
    void setUp() {
        proxy = new EdgeProxy(new ProxyConfig("iad", "127.0.0.1", 0));
        proxy.start();
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        instances.forEach(InstanceServer::close);
        client.close();
    }

    private InstanceServer instance(String name) throws Exception {
        InstanceServer instance = new InstanceServer(name, "iad");
        instances.add(instance);
        return instance;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + path))
                .header("Host", "hello.outpost.localhost")
                .timeout(Duration.ofSeconds(30));
    }

    @Test
    void anUploadTheInstanceRefusesEarlyGetsTheAnswerAndNoResetWhileItIsStillSending() throws Exception {
        // Answers right after the head and does not read the body; the edge then closes the user's connection.
        try (CannedInstance refusing = new CannedInstance("hello-1", "iad",
                "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\nConnection: close\r\n\r\ntoo large")) {
            proxy.update(table(1, app("hello", refusing.target())));
            int bodyBytes = 8 * 1024 * 1024;

            try (Socket user = new Socket(proxy.httpAddress().getAddress(), proxy.httpAddress().getPort())) {
                user.setSoTimeout(10_000);
                CompletableFuture<String> sending = CompletableFuture.supplyAsync(() -> {
                    try {
                        OutputStream out = user.getOutputStream();
                        out.write(("POST /upload HTTP/1.1\r\nHost: hello\r\nContent-Length: " + bodyBytes + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        byte[] piece = new byte[64 * 1024];
                        for (int sent = 0; sent < bodyBytes; sent += piece.length) {
                            out.write(piece);
                        }
                        out.flush();
                        return "sent";
                    } catch (IOException e) {
                        return "failed: " + e.getMessage();
                    }
                });
                String answer = new String(user.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

                // The edge read and dropped the rest of the body instead of resetting the connection under the user.
                assertThat(sending.get(10, TimeUnit.SECONDS)).isEqualTo("sent");
                assertThat(answer).startsWith("HTTP/1.1 413 Payload Too Large\r\n").endsWith("\r\n\r\ntoo large");

                // The user keeps its side open: the connection lingers, and a shutdown does not wait for it.
                long start = System.nanoTime();
                proxy.close();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            }
        }
    }

    @Test
    void streamsALargeChunkedUploadIntact() throws Exception {
        proxy.update(table(1, app("hello", instance("hello-1").target())));

        HttpResponse<String> response = client.send(request("/upload")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternedBody(TWENTY_MB, 7))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("bytes=" + TWENTY_MB + "\n")
                .contains("sha256=" + PatternedBody.sha256(TWENTY_MB, 7) + "\n");
    }

    @Test
    void streamsAnUploadWithContentLengthIntact() throws Exception {
        proxy.update(table(1, app("hello", instance("hello-1").target())));
        long length = 5L * 1024 * 1024 + 3;

        HttpResponse<String> response = client.send(request("/upload")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> new PatternedBody(length, 11)), length)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).contains("bytes=" + length + "\n").contains("sha256=" + PatternedBody.sha256(length, 11));
    }

    @Test
    void passesOn100ContinueForAnUploadThatExpectsIt() throws Exception {
        proxy.update(table(1, app("hello", instance("hello-1").target())));

        HttpResponse<String> response = client.send(request("/upload").expectContinue(true)
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternedBody(100_000, 5))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("sha256=" + PatternedBody.sha256(100_000, 5));
    }

    @Test
    void streamsALargeDownloadIntact() throws Exception {
        proxy.update(table(1, app("hello", instance("hello-1").target())));

        HttpResponse<InputStream> response = client.send(request("/download?bytes=" + TWENTY_MB + "&seed=9").build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Outpost-Request-Id")).isPresent();
        try (InputStream body = response.body()) {
            assertThat(PatternedBody.sha256(body)).isEqualTo(PatternedBody.sha256(TWENTY_MB, 9));
        }
    }

    @Test
    void reusesUpstreamConnectionsAcrossRequests() throws Exception {
        InstanceServer hello = instance("hello-1");
        proxy.update(table(1, app("hello", hello.target())));

        for (int i = 0; i < 20; i++) {
            assertThat(client.send(request("/").build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }

        assertThat(hello.requests()).isEqualTo(20);
        assertThat(hello.connections()).isEqualTo(1);
    }

    @Test
    void opensANewConnectionAfterTheInstanceAnsweredConnectionClose() throws Exception {
        InstanceServer hello = instance("hello-1");
        proxy.update(table(1, app("hello", hello.target())));

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.send(request("/close").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Connection")).as("hop-by-hop, not passed on").isEmpty();
        }

        assertThat(hello.connections()).isEqualTo(3);
    }

    @Test
    void aRequestInFlightKeepsItsInstanceWhenTheTableDropsIt() throws Exception {
        InstanceServer old = instance("hello-old");
        InstanceServer next = instance("hello-new");
        proxy.update(table(1, app("hello", old.target())));
        CompletableFuture<HttpResponse<String>> held = client.sendAsync(request("/hold").build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> old.held() == 1);

        proxy.update(table(2, app("hello", next.target())));
        HttpResponse<String> after = client.send(request("/").build(), HttpResponse.BodyHandlers.ofString());
        old.releaseHeld();

        assertThat(after.body()).startsWith("instance=hello-new\n");
        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(held.get().body()).startsWith("instance=hello-old\n");
    }

    @Test
    void swappingTablesUnderLoadLosesNoRequest() throws Exception {
        RoutingTable.Target a = instance("a").target();
        RoutingTable.Target b = instance("b").target();
        RoutingTable.Target c = instance("c").target();
        proxy.update(table(1, app("hello", a, b)));
        AtomicBoolean swapping = new AtomicBoolean(true);
        Thread swapper = Thread.ofVirtual().start(() -> {
            for (long index = 2; swapping.get(); index++) {
                proxy.update(index % 2 == 0 ? table(index, app("hello", b, c)) : table(index, app("hello", a, b)));
                Thread.onSpinWait();
            }
        });

        Semaphore window = new Semaphore(32);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            window.acquire();
            responses.add(client.sendAsync(request("/").build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> window.release()));
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get();
        swapping.set(false);
        swapper.join();

        assertThat(responses).allSatisfy(r -> assertThat(r.get().statusCode()).isEqualTo(200));
        assertThat(instances.stream().mapToInt(InstanceServer::requests).sum()).isEqualTo(400);
    }
}
