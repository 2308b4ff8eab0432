package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.Placement;
import java.util.Locale;
import java.util.Optional;

/**
 * An instance's {@code Outpost-Replay} answer (DESIGN §5): {@code region=iad} replays the request
 * on an instance in iad, {@code instance=ID} on that instance. The proxy acts on it once per request.
 */
public final class ReplayDirective {
    public static final String HEADER = "Outpost-Replay";

    private ReplayDirective() {}

    /** The placement the header asks for; empty when it is neither {@code region=R} nor {@code instance=ID}. */
    public static Optional<Placement> parse(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            return Optional.empty();
        }
        String key = value.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String target = value.substring(eq + 1).trim();
        if (target.isEmpty() || target.contains(",") || target.contains(";")) {
            return Optional.empty();
        }
        return switch (key) {
            case "region" -> Optional.of(Placement.forceRegion(target.toLowerCase(Locale.ROOT)));
            case "instance" -> Optional.of(Placement.forceInstance(target));
            default -> Optional.empty();
        };
    }
}
