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
    private boolean closed;
    private int waiting;

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

    /**
     * Wakes every waiter for good: the server is closing, so blocking queries answer now (see
     * {@link #closed}) instead of holding their callers until their wait ends.
     */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close} was called: a waiter that woke up then must not answer as if the index moved. */
    public boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the index is above {@code after}, {@code max} passes or the watch is closed;
     * returns the index then.
     */
    public long await(long after, Duration max) throws InterruptedException {
        long remaining = max.toNanos();
        lock.lock();
        try {
            waiting++;
            try {
                while (index <= after && remaining > 0 && !closed) {
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                waiting--;
            }
            return index;
        } finally {
            lock.unlock();
        }
    }

    /** How many callers wait in {@link #await} now. */
    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }
}
