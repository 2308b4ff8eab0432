package dev.outpost.proxy.control;

import dev.outpost.proxy.ProxyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint peers probe: {@code GET /probe} answers {@code 200 ok} and closes. A listener of its
 * own (not the HTTP edge) so probes never compete with client connection limits or queues, and one
 * connection per probe on a virtual thread is plenty at one probe per peer every 2 s.
 */
public final class ProbeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeListener.class);
    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = ("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 36\r\n"
            + "Connection: close\r\n\r\nthe probe listener serves GET /probe").getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEAD = 4096;

    private final ServerSocket server;
    private final Duration answerDelay;
    private final Thread acceptor;

    private ProbeListener(ServerSocket server, Duration answerDelay) {
        this.server = server;
        this.answerDelay = answerDelay;
        this.acceptor = Thread.ofVirtual().name("outpost-probe-listener").start(this::accept);
    }

    /** Binds {@code host:port} (0: any free port); {@link ProxyException} when it cannot. */
    public static ProbeListener bind(String host, int port) {
        return bind(host, port, Duration.ZERO);
    }

    /** As {@link #bind(String, int)}, answering each probe only after {@code answerDelay}: a far-away peer, in tests. */
    static ProbeListener bind(String host, int port, Duration answerDelay) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("probe port must be in 0..65535, got " + port);
        }
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 64);
            return new ProbeListener(socket, answerDelay);
        } catch (IOException e) {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw new ProxyException("probe listener could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** {@code host:port} as peers dial it. */
    public String hostPort() {
        return address().getAddress().getHostAddress() + ":" + address().getPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the probe listener on {} failed: {}", hostPort(), e.toString());
        }
        try {
            acceptor.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().name("outpost-probe").start(() -> answer(client));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                LOG.warn("probe listener on {}: accept failed: {}", hostPort(), e.toString());
            }
        }
    }

    private void answer(Socket client) {
        try (client) {
            client.setSoTimeout(5_000);
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (!answerDelay.isZero()) {
                // Stands for distance: the peer is as far away as this delay.
                Thread.sleep(answerDelay);
            }
            OutputStream out = client.getOutputStream();
            out.write(head.startsWith("GET /probe ") ? OK : NOT_FOUND);
            out.flush();
        } catch (IOException e) {
            LOG.debug("probe from {} failed: {}", client.getRemoteSocketAddress(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && head.length() < MAX_HEAD) {
            head.append((char) b);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 4) == '\r' && head.charAt(n - 3) == '\n' && head.charAt(n - 2) == '\r' && head.charAt(n - 1) == '\n') {
                break;
            }
        }
        return head.toString();
    }
}
