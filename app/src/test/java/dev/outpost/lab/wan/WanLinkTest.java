package dev.outpost.lab.wan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.proxy.http.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WanLinkTest {
    private static final Duration RTT = Duration.ofMillis(40);
    /** The machine is shared and noisy: upper bounds only catch a link that ignores its delay entirely. */
    private static final long SLACK_MS = 400;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final LinkLoops loops = closing(new LinkLoops(Transport.best(), 1, "test"));

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void firstBytesPayForTheHandshakeAndLaterOnesForOneRoundTrip() throws Exception {
        ServerSocket echo = closing(listen());
        serve(echo, s -> s.getInputStream().transferTo(s.getOutputStream()));
        serve(echo, s -> s.getInputStream().transferTo(s.getOutputStream()));
        WanLink link = closing(WanLink.open(loops, "127.0.0.1", address(echo), RTT));
        try (Socket warmUp = connect(link)) {
            // Loads and compiles the relay's code, which the measured connection should not pay for.
            exchange(warmUp);
        }
        try (Socket client = connect(link)) {
            long first = exchange(client);
            long second = exchange(client);
            // Handshake (one RTT) + request one way + answer one way.
            assertThat(first).isBetween(2 * RTT.toMillis(), 2 * RTT.toMillis() + SLACK_MS);
            assertThat(second).isBetween(RTT.toMillis(), RTT.toMillis() + SLACK_MS);
        }
    }

    @Test
    void aLinkThatExcludesTheHandshakeChargesTheFirstBytesOneRoundTrip() throws Exception {
        Duration rtt = Duration.ofMillis(200);
        ServerSocket echo = closing(listen());
        serve(echo, s -> s.getInputStream().transferTo(s.getOutputStream()));
        WanLink link = closing(WanLink.open(loops, "127.0.0.1", address(echo), rtt, Handshake.EXCLUDED));
        try (Socket client = connect(link)) {
            // Charged, it would take two round trips (400 ms): the upper bound has 200 ms of slack for the machine.
            assertThat(exchange(client)).isBetween(rtt.toMillis(), 2 * rtt.toMillis() - 1);
        }
    }

    @Test
    void keepsTheOrderOfTenMegabytes() throws Exception {
        int total = 10 * 1024 * 1024;
        ServerSocket sink = closing(listen());
        CompletableFuture<Long> firstWrongAt = new CompletableFuture<>();
        serve(sink, s -> {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long at = 0;
            long wrong = -1;
            for (int n; (n = in.read(buf)) >= 0; ) {
                for (int i = 0; i < n && wrong < 0; i++) {
                    if (buf[i] != pattern(at + i)) {
                        wrong = at + i;
                    }
                }
                at += n;
            }
            firstWrongAt.complete(wrong >= 0 ? wrong : at == total ? -1 : -at - 2);
        });
        WanLink link = closing(WanLink.open(loops, "127.0.0.1", address(sink), Duration.ofMillis(2)));
        try (Socket client = connect(link)) {
            OutputStream out = client.getOutputStream();
            byte[] chunk = new byte[50_000];
            for (long at = 0; at < total; at += chunk.length) {
                int n = (int) Math.min(chunk.length, total - at);
                for (int i = 0; i < n; i++) {
                    chunk[i] = pattern(at + i);
                }
                out.write(chunk, 0, n);
            }
            client.shutdownOutput();
            // -1: every byte arrived in order; a position: the first out of place; below -1: too few bytes.
            assertThat(firstWrongAt.get(20, TimeUnit.SECONDS)).isEqualTo(-1L);
        }
    }

    @Test
    void aSlowReaderBoundsWhatTheLinkHolds() throws Exception {
        long total = 32L * 1024 * 1024;
        ServerSocket slow = closing(listen());
        slow.setReceiveBufferSize(64 * 1024);
        CountDownLatch readNow = new CountDownLatch(1);
        CompletableFuture<Long> received = new CompletableFuture<>();
        serve(slow, s -> {
            readNow.await();
            received.complete(s.getInputStream().transferTo(OutputStream.nullOutputStream()));
        });
        WanLink link = closing(WanLink.open(loops, "127.0.0.1", address(slow), Duration.ofMillis(2)));
        Socket client = closing(new Socket());
        client.setSendBufferSize(64 * 1024);
        client.connect(link.address());
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = client.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                for (long at = 0; at < total; at += chunk.length) {
                    out.write(chunk);
                }
                client.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException("writing through the link failed", e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));

        // Once past the watermark the link stops reading; the far side then takes a little more from it, and no more.
        await().atMost(Duration.ofSeconds(10)).until(() -> link.peakHeldBytes() >= WanLink.HIGH_WATERMARK);
        // More than every socket buffer on the way can take: only a link that reads without bound lets it all through.
        assertThat(writer).isNotDone();
        readNow.countDown();
        assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(total);
        writer.get(5, TimeUnit.SECONDS);
        // One read, at most the relay's receive buffer (which the kernel doubles), may land past the watermark.
        assertThat(link.peakHeldBytes()).isBetween((long) WanLink.HIGH_WATERMARK, WanLink.HIGH_WATERMARK + 2L * WanLink.RECEIVE_BUFFER);
    }

    @Test
    void halfCloseAndCloseTravelAfterTheBytesWithTheDelay() throws Exception {
        ServerSocket server = closing(listen());
        CompletableFuture<String> request = new CompletableFuture<>();
        CompletableFuture<Long> requestEndedAt = new CompletableFuture<>();
        serve(server, s -> {
            request.complete(new String(s.getInputStream().readAllBytes()));
            requestEndedAt.complete(System.nanoTime());
            s.getOutputStream().write("bye".getBytes());
            s.close();
        });
        WanLink link = closing(WanLink.open(loops, "127.0.0.1", address(server), RTT));
        try (Socket client = connect(link)) {
            long start = System.nanoTime();
            client.getOutputStream().write("hi".getBytes());
            client.shutdownOutput();
            String answer = new String(client.getInputStream().readAllBytes());
            long end = System.nanoTime();
            assertThat(request.get(5, TimeUnit.SECONDS)).isEqualTo("hi");
            assertThat(answer).isEqualTo("bye");
            // The FIN left after the handshake and took one way; the answer and its close took the other.
            assertThat(millis(requestEndedAt.get() - start)).isGreaterThanOrEqualTo(RTT.toMillis() + RTT.toMillis() / 2);
            assertThat(millis(end - requestEndedAt.get())).isBetween(RTT.toMillis() / 2, RTT.toMillis() / 2 + SLACK_MS);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> link.heldBytes() == 0);
    }

    @Test
    void aRefusedDestinationClosesTheClientAfterARoundTrip() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket gone = listen()) {
            nobody = address(gone);
        }
        WanLink link = closing(WanLink.open(loops, "127.0.0.1", nobody, RTT));
        try (Socket client = connect(link)) {
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(millis(System.nanoTime() - start)).isGreaterThanOrEqualTo(RTT.toMillis() - 1);
        }
    }

    private interface Session {
        void run(Socket socket) throws Exception;
    }

    private static byte pattern(long at) {
        return (byte) (at % 251);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long exchange(Socket client) throws IOException {
        long start = System.nanoTime();
        client.getOutputStream().write('x');
        assertThat(client.getInputStream().read()).isEqualTo('x');
        return millis(System.nanoTime() - start);
    }

    private static ServerSocket listen() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static InetSocketAddress address(ServerSocket s) {
        return new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
    }

    private Socket connect(WanLink link) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(link.address());
        return socket;
    }

    /** Serves one connection on a virtual thread; closed with the test. */
    private void serve(ServerSocket server, Session session) {
        Thread thread = Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                session.run(s);
            } catch (Exception e) {
                if (!server.isClosed()) {
                    throw new IllegalStateException("test server on " + server.getLocalSocketAddress() + " failed", e);
                }
            }
        });
        closing.add(() -> {
            server.close();
            thread.join(5_000);
        });
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closing.add(resource);
        return resource;
    }
}
