package dev.outpost.cli.output;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Collectors;

/** How values look in a table cell: instants to the second, scale maps as {@code iad=2 ams=1}. */
public final class Cells {
    private Cells() {}

    public static String instant(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static String scale(Map<String, Integer> scale) {
        if (scale == null || scale.isEmpty()) {
            return null;
        }
        return scale.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
