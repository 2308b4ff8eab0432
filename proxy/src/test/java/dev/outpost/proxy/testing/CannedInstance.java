package dev.outpost.proxy.testing;

import dev.outpost.core.api.RoutingTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An instance that answers every request (a head without a body) with the same bytes, exactly as
 * given, on keep-alive connections: for checking what the proxy does to a response it did not write.
 */
public final class CannedInstance implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicReference<String> response;
    private final String name;
    private final String region;
    private final AtomicInteger connections = new AtomicInteger();

    public CannedInstance(String name, String region, String response) throws IOException {
        this.name = name;
        this.region = region;
        this.response = new AtomicReference<>(response);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "canned-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** What the next requests are answered with. */
    public void answer(String bytes) {
        response.set(bytes);
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    public RoutingTable.Target target() {
        return new RoutingTable.Target(name, region, "127.0.0.1", server.getLocalPort(), 1);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(socket), "canned-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            while (readHead(in)) {
                socket.getOutputStream().write(response.get().getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
            }
        } catch (IOException e) {
            // The proxy closed the connection.
        }
    }

    private static boolean readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
