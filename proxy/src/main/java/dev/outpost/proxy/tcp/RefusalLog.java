package dev.outpost.proxy.tcp;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per window for the refused connections of one service: a flood of them (a
 * suspended app, an app with no instance, a client retrying in a loop) must not flood the log. The
 * line after a quiet spell says how many refusals went unlogged; the metric counts every one.
 * Thread-safe: every event loop's connections of the service share it.
 */
final class RefusalLog {
    static final Duration WINDOW = Duration.ofSeconds(10);

    private final long windowNanos;
    private final AtomicLong nextLineAt;
    private final AtomicInteger unlogged = new AtomicInteger();

    RefusalLog(Duration window, long nowNanos) {
        this.windowNanos = window.toNanos();
        this.nextLineAt = new AtomicLong(nowNanos);
    }

    /** For a refusal at {@code nowNanos}: how many went unlogged before it when it may be logged, else -1 (it is counted). */
    int admit(long nowNanos) {
        long next = nextLineAt.get();
        if (nowNanos - next >= 0 && nextLineAt.compareAndSet(next, nowNanos + windowNanos)) {
            return unlogged.getAndSet(0);
        }
        unlogged.incrementAndGet();
        return -1;
    }
}
