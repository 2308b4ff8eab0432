package dev.outpost.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The observed state of an instance, as its agent reports it.
 *
 * <pre>
 * created ──▶ starting ──▶ started ──▶ stopping ──▶ stopped ──▶ destroyed
 *                │            │                        │
 *                └──▶ failed ◀┘            (restart) ──┘──▶ starting
 *                       └──▶ starting (restart with backoff) | destroyed
 * </pre>
 */
public enum InstanceState {
    CREATED, STARTING, STARTED, STOPPING, STOPPED, FAILED, DESTROYED;

    /** The states this one may move to. */
    public Set<InstanceState> next() {
        return switch (this) {
            case CREATED -> EnumSet.of(STARTING, STOPPED, DESTROYED);
            case STARTING -> EnumSet.of(STARTED, STOPPING, FAILED, STOPPED, DESTROYED);
            case STARTED -> EnumSet.of(STOPPING, STOPPED, FAILED, DESTROYED);
            case STOPPING -> EnumSet.of(STOPPED, FAILED, DESTROYED);
            case STOPPED -> EnumSet.of(STARTING, DESTROYED);
            case FAILED -> EnumSet.of(STARTING, STOPPED, DESTROYED);
            case DESTROYED -> EnumSet.noneOf(InstanceState.class);
        };
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static InstanceState of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
