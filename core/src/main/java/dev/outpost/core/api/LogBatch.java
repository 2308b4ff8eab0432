package dev.outpost.core.api;

import java.time.Instant;
import java.util.List;

/**
 * {@code POST /v1/logs}: lines an agent read from its instances' output, in the order it read them.
 * The agent sends one batch at most every second, or as soon as it holds {@link #MAX_LINES} lines.
 */
public record LogBatch(List<Line> lines) {
    /** The most lines one batch may carry; the server refuses bigger ones. */
    public static final int MAX_LINES = 5000;
    /** The longest line, in characters; the agent cuts longer ones into pieces of this size. */
    public static final int MAX_LINE_LENGTH = 16 * 1024;

    public LogBatch {
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    /**
     * One line. {@code origin} names its place in the agent's output file ({@code STREAM:OFFSET},
     * unique per instance), so a batch sent twice (the agent restarted before it recorded the
     * answer) is stored once; null for lines the agent made up itself, such as a drop marker.
     */
    public record Line(String instanceId, String app, String region, Instant time, String line, String origin) {}
}
