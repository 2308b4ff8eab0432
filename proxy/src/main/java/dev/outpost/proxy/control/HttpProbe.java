package dev.outpost.proxy.control;

import dev.outpost.proxy.routing.Dialer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Probes with a fresh TCP connection and one {@code GET /probe} to the peer's {@link ProbeListener}.
 * Only the request's round trip is timed, not the connect: the TCP handshake is done by the
 * kernel and says nothing about how busy or far the peer's proxy is beyond one RTT that the
 * request measures anyway.
 */
public final class HttpProbe implements Probe {
    private static final byte[] REQUEST = "GET /probe HTTP/1.1\r\nHost: outpost-probe\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final Duration timeout;
    private final Dialer dialer;

    /** {@code timeout} bounds the connect and the answer each. */
    public HttpProbe(Duration timeout) {
        this(timeout, Dialer.direct());
    }

    /** Connecting through {@code dialer} (the lab's WAN links between regions). */
    public HttpProbe(Duration timeout, Dialer dialer) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("probe timeout must be positive, e.g. 1s, got " + timeout);
        }
        this.timeout = timeout;
        this.dialer = dialer;
    }

    @Override
    public Duration roundTrip(InetSocketAddress peer) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(dialer.route(peer), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            out.write(REQUEST);
            out.flush();
            byte[] answer = in.readAllBytes();
            long took = System.nanoTime() - start;
            String head = new String(answer, 0, Math.min(answer.length, 16), StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 200")) {
                throw new IOException("probe of " + peer + " answered \"" + head.strip() + "\" instead of HTTP/1.1 200");
            }
            return Duration.ofNanos(took);
        } catch (SocketTimeoutException e) {
            throw new IOException("probe of " + peer + " got no answer within " + timeout.toMillis() + " ms", e);
        }
    }
}
