package dev.outpost.core.model;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A named workload. {@code scale} is the desired instance count per region; {@code currentRelease}
 * the release that serves (null before the first successful deploy).
 */
public record App(String name, String primaryRegion, Map<String, Integer> scale, Integer currentRelease, Instant createdAt) {
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,62}");

    public App {
        scale = scale == null ? Map.of() : Map.copyOf(scale);
    }

    /** Null when {@code name} is a valid app name, else a sentence saying why not. */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            return "app name is empty";
        }
        if (!NAME.matcher(name).matches()) {
            return "app name \"" + name + "\" is invalid: use 2-63 characters, lower-case letters, digits and '-', starting with a letter";
        }
        return null;
    }
}
