package dev.outpost.proxy.tcp;

import java.time.Duration;

/**
 * At most one log line per window for the refused connections of one service: a flood of them (a
 * suspended app, an app with no instance, a client retrying in a loop) must not flood the log. The
 * line after a quiet spell says how many refusals went unlogged; the metric counts every one.
 * Thread-safe: every event loop's connections of the service share it.
 */
final class RefusalLog {
    static final Duration WINDOW = Duration.ofSeconds(10);

    private final long windowNanos;
    private long nextLineAt;
    private int unlogged;

    RefusalLog(Duration window, long nowNanos) {
        this.windowNanos = window.toNanos();
        this.nextLineAt = nowNanos;
    }

    /**
     * For a refusal at {@code nowNanos}: how many went unlogged before it when it may be logged, else -1 (it is counted).
     * One lock, not two atomics: with a compare-and-set on the time and a reset of the count apart, a refusal
     * counted between the two was reported in the line before its own (a test with eight threads caught it).
     * A refused connection costs an accept and a close; an uncontended lock is noise beside them.
     */
    synchronized int admit(long nowNanos) {
        if (nowNanos - nextLineAt >= 0) {
            nextLineAt = nowNanos + windowNanos;
            int before = unlogged;
            unlogged = 0;
            return before;
        }
        unlogged++;
        return -1;
    }
}
