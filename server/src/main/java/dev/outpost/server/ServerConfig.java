package dev.outpost.server;

import dev.outpost.server.meter.Prices;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the server listens and keeps its data. {@code regions} is the ordered list of regions this
 * platform has before any agent registers (the first is where the server runs). {@code logRetention}
 * is how long instances' log lines are kept (default {@link #DEFAULT_LOG_RETENTION}). {@code prices} is
 * what the meter charges per VM size (default {@link Prices#defaults()}).
 */
public record ServerConfig(String bindHost, int port, Path dataDir, List<String> regions, Duration logRetention, Prices prices) {
    public static final int DEFAULT_PORT = 7280;
    public static final Duration DEFAULT_LOG_RETENTION = Duration.ofDays(7);

    public ServerConfig {
        regions = regions == null ? List.of() : List.copyOf(regions);
        logRetention = logRetention == null ? DEFAULT_LOG_RETENTION : logRetention;
        prices = prices == null ? Prices.defaults() : prices;
        if (logRetention.isNegative() || logRetention.isZero()) {
            throw new IllegalArgumentException("log retention " + logRetention + " must be longer than 0 (e.g. 7d)");
        }
    }

    /** A server with the default prices. */
    public ServerConfig(String bindHost, int port, Path dataDir, List<String> regions, Duration logRetention) {
        this(bindHost, port, dataDir, regions, logRetention, null);
    }

    /** A server keeping logs for {@link #DEFAULT_LOG_RETENTION}. */
    public ServerConfig(String bindHost, int port, Path dataDir, List<String> regions) {
        this(bindHost, port, dataDir, regions, DEFAULT_LOG_RETENTION);
    }
}
