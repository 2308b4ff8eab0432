package dev.outpost.lab.wan;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes a {@link WanLink} holds (read from one side, not yet written to the other), now and at most in one direction. */
final class LinkStats {
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    void hold(int bytes, long heldInDirection) {
        held.addAndGet(bytes);
        peak.accumulateAndGet(heldInDirection, Math::max);
    }

    void release(int bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }

    long peak() {
        return peak.get();
    }
}
