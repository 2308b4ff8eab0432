package dev.outpost.core.api;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened to an app and that its owner should be able to read later: a scaling decision,
 * a budget threshold, a suspension. {@code kind} is a dotted name ({@code scale.up}, {@code budget.80});
 * {@code message} is the sentence {@code outpost events} prints; {@code data} holds the values behind it.
 */
public record Event(long id, Instant at, String app, String kind, String message, Map<String, String> data) {
    public Event {
        data = data == null ? Map.of() : Map.copyOf(data);
    }
}
