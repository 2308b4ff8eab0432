package dev.outpost.proxy.routing;

import java.util.concurrent.ConcurrentHashMap;

/** The {@link WaitQueue} of every app, by name; they outlive routing-table swaps. */
public final class WaitQueues {
    private final int capacity;
    private final ConcurrentHashMap<String, WaitQueue> byApp = new ConcurrentHashMap<>();

    /** @param capacity requests each app's queue holds before further ones are answered 503 at once */
    public WaitQueues(int capacity) {
        this.capacity = capacity;
    }

    public WaitQueue of(String app) {
        WaitQueue queue = byApp.get(app);
        return queue != null ? queue : byApp.computeIfAbsent(app, a -> new WaitQueue(capacity));
    }

    public int capacity() {
        return capacity;
    }

    /** Wakes every waiter of every app (the table changed). */
    public void wakeAll() {
        byApp.values().forEach(WaitQueue::wakeAll);
    }
}
