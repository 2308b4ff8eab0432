package dev.outpost.proxy.routing;

import java.util.ArrayDeque;

/**
 * Requests of one app waiting for an instance under its hard limit (DESIGN §6.4: "queue briefly").
 * Bounded; served in arrival order: each freed slot wakes the longest waiter, which tries to pick
 * again and, if a request that never queued took the slot first, goes back to the head. Thread-safe:
 * requests of every event loop share it; waking costs one volatile read while nobody waits.
 */
public final class WaitQueue {

    /** A held request. {@link #wake()} is called on any thread; the request hops to its own event loop. */
    public interface Waiter {
        void wake();
    }

    private final int capacity;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private volatile int size;

    public WaitQueue(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a wait queue holds 0 or more requests, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds {@code waiter} at the tail; false when the queue is full. */
    public synchronized boolean enqueue(Waiter waiter) {
        if (waiters.size() >= capacity) {
            return false;
        }
        waiters.addLast(waiter);
        size = waiters.size();
        return true;
    }

    /** Puts a woken waiter that still found no room back at the head: it keeps its turn. */
    public synchronized void requeue(Waiter waiter) {
        waiters.addFirst(waiter);
        size = waiters.size();
    }

    /** Takes a waiter out (its wait ended, or its user left); false when it was not queued. */
    public synchronized boolean remove(Waiter waiter) {
        boolean removed = waiters.remove(waiter);
        size = waiters.size();
        return removed;
    }

    /** A slot may have freed: wakes the longest waiter, if any. */
    public void capacityFreed() {
        if (size == 0) {
            return;
        }
        Waiter first;
        synchronized (this) {
            first = waiters.pollFirst();
            size = waiters.size();
        }
        if (first != null) {
            first.wake();
        }
    }

    /** Wakes every waiter, e.g. after a routing-table change that may have added instances. */
    public void wakeAll() {
        if (size == 0) {
            return;
        }
        Waiter[] all;
        synchronized (this) {
            all = waiters.toArray(new Waiter[0]);
            waiters.clear();
            size = 0;
        }
        for (Waiter w : all) {
            w.wake();
        }
    }

    public int size() {
        return size;
    }
}
