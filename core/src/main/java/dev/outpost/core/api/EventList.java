package dev.outpost.core.api;

import java.util.List;

/** {@code GET /v1/apps/{app}/events}: the index the answer reflects and the events, oldest first. */
public record EventList(long index, List<Event> events) {
    public EventList {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
