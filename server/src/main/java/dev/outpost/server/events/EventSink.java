package dev.outpost.server.events;

import java.util.Map;

/**
 * Where the server's components record what they decided, with the reason, for {@code outpost events}
 * and webhooks. One method so that the autoscaler, the meter and the scheduler depend on nothing more.
 */
@FunctionalInterface
public interface EventSink {
    /** Records one event; {@code kind} is dotted ({@code scale.up}), {@code message} a full sentence. */
    void record(String app, String kind, String message, Map<String, String> data);
}
