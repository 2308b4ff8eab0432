package dev.outpost.server.events;

import dev.outpost.store.Store;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@link EventSink}: each event is one store write, which bumps the index (waking
 * {@code outpost events --follow} and the webhook dispatcher) and queues its webhook deliveries in
 * the same transaction.
 */
public final class EventLog implements EventSink {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    private final Store store;
    private final Clock clock;

    public EventLog(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void record(String app, String kind, String message, Map<String, String> data) {
        store.events().append(app, kind, message, data, clock.instant());
        log.info("event {} {}: {}", app, kind, message);
    }
}
