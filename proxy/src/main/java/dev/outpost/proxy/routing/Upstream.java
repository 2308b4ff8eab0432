package dev.outpost.proxy.routing;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance the proxy may send requests to, with the little state the balancer needs: how many
 * requests this proxy has in flight to it, and until when it is ejected after a connect failure
 * (passive health). The same object survives routing-table swaps while the instance stays listed,
 * so that state is not reset by every update. Identity is the object: equals is not overridden.
 */
public final class Upstream {
    private final String instanceId;
    private final String region;
    private final InetSocketAddress address;
    private final int release;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long ejectedUntilNanos;
    private volatile boolean ejected;

    public Upstream(String instanceId, String region, InetSocketAddress address, int release) {
        if (instanceId == null || instanceId.isBlank() || region == null || region.isBlank() || address == null) {
            throw new IllegalArgumentException("an upstream needs an instance id, a region and an address, got "
                    + instanceId + ", " + region + ", " + address);
        }
        this.instanceId = instanceId;
        this.region = region;
        this.address = address;
        this.release = release;
    }

    public String instanceId() {
        return instanceId;
    }

    public String region() {
        return region;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int release() {
        return release;
    }

    /**
     * The instance's load as this proxy sees it: requests sent and not yet answered, or for an app
     * whose concurrency type is {@code connections}, the user connections routed to it.
     */
    public int inFlight() {
        return inFlight.get();
    }

    /** Counts a request that starts towards this instance; pair with {@link #end()}. */
    public void begin() {
        inFlight.incrementAndGet();
    }

    public void end() {
        inFlight.decrementAndGet();
    }

    /**
     * Counts a request (or connection) only if the load stays within {@code hardLimit}: several
     * event loops may pick the same instance at once, and only this check keeps the limit hard.
     * Pair a {@code true} with {@link #end()}.
     */
    public boolean tryBegin(int hardLimit) {
        while (true) {
            int current = inFlight.get();
            if (current >= hardLimit) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Takes the instance out of the balancer's first choice for {@code period}. */
    public void eject(Duration period) {
        ejectedUntilNanos = System.nanoTime() + period.toNanos();
        ejected = true;
    }

    /** True while an ejection is running at {@code nowNanos} ({@link System#nanoTime()}). */
    public boolean isEjected(long nowNanos) {
        return ejected && nowNanos - ejectedUntilNanos < 0;
    }

    /** How errors and logs name it: {@code instance 3f9k2x7q1m0a (127.1.1.4:34567) in iad}. */
    public String describe() {
        return "instance " + instanceId + " (" + address.getHostString() + ":" + address.getPort() + ") in " + region;
    }

    @Override
    public String toString() {
        return describe();
    }
}
