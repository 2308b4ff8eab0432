package dev.outpost.proxy.tcp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An app instance speaking raw TCP on loopback: it echoes every byte back. With {@code proxyVersion} 1 or
 * 2 it first reads a PROXY header (as a PostgreSQL or HAProxy-fronted server would) and records the
 * source it names; it answers nothing until the header is complete.
 */
final class TcpInstance implements AutoCloseable {
    /** What the PROXY header said: the client's address and port, and the destination's. */
    record Seen(String source, int sourcePort, String destination, int destinationPort) {}

    private final ServerSocket server;
    private final int proxyVersion;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Seen> headers = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    /** Written after the echo once the client's EOF arrived (a half-close test), when set. */
    volatile String afterEof;
    /**
     * When set, the instance writes this first, shuts its write side and then reads everything the client
     * sends into {@link #received} instead of echoing.
     */
    volatile String greeting;
    final java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
    /** Counted down to let the instance start reading (a slow reader until then). */
    final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

    TcpInstance(int proxyVersion) throws IOException {
        this(proxyVersion, true);
    }

    /** With {@code open} false, connections are not read until {@link #gate} is counted down. */
    TcpInstance(int proxyVersion, boolean open) throws IOException {
        this.proxyVersion = proxyVersion;
        if (open) {
            gate.countDown();
        }
        server = new ServerSocket();
        // Small buffers keep what the kernel holds on this side small, so backpressure shows.
        server.setReceiveBufferSize(64 * 1024);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        threads.submit(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return sockets.size();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setSendBufferSize(64 * 1024);
                sockets.add(socket);
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    failures.add("accept: " + e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            gate.await();
            InputStream in = socket.getInputStream();
            if (proxyVersion == 1) {
                headers.add(v1(in));
            } else if (proxyVersion == 2) {
                headers.add(v2(new DataInputStream(in)));
            }
            OutputStream out = socket.getOutputStream();
            String greet = greeting;
            if (greet != null) {
                out.write(greet.getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                received.add(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
                return;
            }
            in.transferTo(out);
            String after = afterEof;
            if (after != null) {
                out.write(after.getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            if (!server.isClosed()) {
                failures.add("serve: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Seen v1(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0 || line.length() > 107) {
                throw new IOException("no PROXY v1 line: " + line);
            }
            line.append((char) c);
        }
        String[] parts = line.toString().strip().split(" ");
        if (parts.length != 6 || !parts[0].equals("PROXY") || !parts[1].equals("TCP4")) {
            throw new IOException("not a PROXY TCP4 line: " + line);
        }
        return new Seen(parts[2], Integer.parseInt(parts[4]), parts[3], Integer.parseInt(parts[5]));
    }

    private static Seen v2(DataInputStream in) throws IOException {
        byte[] head = new byte[16];
        in.readFully(head);
        String signature = new String(head, 0, 12, StandardCharsets.ISO_8859_1);
        if (!signature.equals("\r\n\r\n\0\r\nQUIT\n") || head[12] != 0x21 || head[13] != 0x11) {
            throw new IOException("not a PROXY v2 TCP4 header");
        }
        int length = (head[14] & 0xFF) << 8 | head[15] & 0xFF;
        byte[] body = new byte[length];
        in.readFully(body);
        String source = InetAddress.getByAddress(java.util.Arrays.copyOfRange(body, 0, 4)).getHostAddress();
        String destination = InetAddress.getByAddress(java.util.Arrays.copyOfRange(body, 4, 8)).getHostAddress();
        return new Seen(source, (body[8] & 0xFF) << 8 | body[9] & 0xFF, destination, (body[10] & 0xFF) << 8 | body[11] & 0xFF);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
    }
}
