package dev.outpost.proxy.http;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps the open connections from one client address (issue 4, safety), so one host cannot take
 * every socket of the edge. A connection over the cap is closed at once, before a byte is read, and
 * without an answer: a response written before the request was read would most often be lost to the
 * reset the close causes.
 */
public final class ClientConnectionLimit {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    public ClientConnectionLimit(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("connections per client must be 1 or more, got " + max);
        }
        this.max = max;
    }

    /** Counts {@code channel} against its address until it closes; false (nothing counted) when the address is at the cap. */
    public boolean admit(Channel channel) {
        if (!(channel.remoteAddress() instanceof InetSocketAddress remote) || remote.getAddress() == null) {
            return true;
        }
        InetAddress address = remote.getAddress();
        boolean[] admitted = new boolean[1];
        open.compute(address, (a, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return n;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (admitted[0]) {
            channel.closeFuture().addListener(f -> open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1));
        }
        return admitted[0];
    }

    public int max() {
        return max;
    }

    /** Open connections counted for {@code address}. */
    public int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }
}
