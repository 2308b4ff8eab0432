package dev.outpost.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a release is in its deploy.
 *
 * <pre>
 * deploying ──▶ active ──▶ superseded
 *     └──────▶ failed
 * </pre>
 */
public enum ReleaseStatus {
    DEPLOYING, ACTIVE, SUPERSEDED, FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ReleaseStatus of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
