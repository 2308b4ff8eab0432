package dev.outpost.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The verdict of an instance's checks: {@code unknown} until the first result after the grace period. */
public enum Health {
    UNKNOWN, PASSING, FAILING;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Health of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
