package dev.outpost.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What the scheduler wants an instance to be; the agent makes it so. */
public enum DesiredState {
    RUNNING, STOPPED, DESTROYED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DesiredState of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
