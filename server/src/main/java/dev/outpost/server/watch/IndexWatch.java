package dev.outpost.server.watch;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The global index as blocking queries see it. The store advances it after each committed write;
 * {@link #await} parks the caller (a virtual thread per request) until the index passes the one
 * it already has, or its wait ends.
 */
public final class IndexWatch {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long index;

    public IndexWatch(long initial) {
        this.index = initial;
    }

    public long current() {
        lock.lock();
        try {
            return index;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the index forward (never back) and wakes every waiter. */
    public void advance(long newIndex) {
        lock.lock();
        try {
            if (newIndex > index) {
                index = newIndex;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the index is above {@code after} or {@code max} passes; returns the index then. */
    public long await(long after, Duration max) throws InterruptedException {
        long remaining = max.toNanos();
        lock.lock();
        try {
            while (index <= after && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            return index;
        } finally {
            lock.unlock();
        }
    }
}
