package dev.outpost.proxy.telemetry;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demand arriving at this edge, per app, for the load reports the autoscaler reads: requests that
 * arrived, those sent to another region, those that found no capacity (queued or 503), and the user
 * connections whose latest request was for the app. Only {@link LongAdder} increments on the request
 * path (one map lookup per request, none per connection): the reporter reads and resets once a second.
 */
public final class EdgeDemand {
    private final ConcurrentHashMap<String, App> apps = new ConcurrentHashMap<>();

    /**
     * A request for {@code app} arrived on a connection whose previous request was for {@code previous}
     * (null on its first): counts the request and moves the connection to {@code app}. Returns what the
     * connection keeps until its next request or {@link App#left()}.
     */
    public App arrived(String app, App previous) {
        App now = previous != null && previous.name.equals(app) ? previous : of(app);
        now.requests.increment();
        if (now != previous) {
            now.connections.increment();
            if (previous != null) {
                previous.connections.decrement();
            }
        }
        return now;
    }

    public App of(String app) {
        App found = apps.get(app);
        return found != null ? found : apps.computeIfAbsent(app, App::new);
    }

    public Collection<App> apps() {
        return apps.values();
    }

    /** One app's counters. */
    public static final class App {
        private final String name;
        private final LongAdder requests = new LongAdder();
        private final LongAdder remote = new LongAdder();
        private final LongAdder unserved = new LongAdder();
        private final LongAdder connections = new LongAdder();

        private App(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        /** The request was sent to an instance in another region. */
        public void remote() {
            remote.increment();
        }

        /** The request found no instance with room: it waited in the queue, or was answered 503. */
        public void unserved() {
            unserved.increment();
        }

        /** The connection that counted for this app closed. */
        public void left() {
            connections.decrement();
        }

        /** Requests, remote and unserved counts since the last call, and the open connections now. */
        public Counts takeCounts() {
            return new Counts(requests.sumThenReset(), remote.sumThenReset(), unserved.sumThenReset(), connections.sum());
        }
    }

    /** What {@link App#takeCounts} read. */
    public record Counts(long requests, long remote, long unserved, long connections) {
        public boolean idle() {
            return requests == 0 && remote == 0 && unserved == 0 && connections == 0;
        }
    }
}
