package dev.outpost.agent.check;

import dev.outpost.core.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Connects to {@code address:port}: passing when the connection is accepted within the timeout. */
public final class TcpProbe implements Probe {
    private final String address;
    private final int port;
    private final Duration interval;
    private final Duration timeout;
    private final Duration gracePeriod;

    public TcpProbe(String address, int port, Duration interval, Duration timeout, Duration gracePeriod) {
        this.address = address;
        this.port = port;
        this.interval = interval;
        this.timeout = timeout;
        this.gracePeriod = gracePeriod;
    }

    /** True when {@code address:port} accepts a TCP connection within {@code timeout}. */
    public static boolean accepts(String address, int port, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) Math.max(1, timeout.toMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "tcp " + address + ":" + port;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public Duration gracePeriod() {
        return gracePeriod;
    }

    @Override
    public ProbeResult run() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) Math.max(1, timeout.toMillis()));
            return ProbeResult.pass(name() + " → connected");
        } catch (SocketTimeoutException e) {
            return ProbeResult.fail(name() + " → connect timed out after " + Durations.format(timeout));
        } catch (ConnectException e) {
            return ProbeResult.fail(name() + " → connect refused");
        } catch (IOException e) {
            return ProbeResult.fail(name() + " → " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }
}
