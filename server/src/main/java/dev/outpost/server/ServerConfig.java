package dev.outpost.server;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the server listens and keeps its data. {@code regions} is the ordered list of regions this
 * platform has before any agent registers (the first is where the server runs).
 */
public record ServerConfig(String bindHost, int port, Path dataDir, List<String> regions) {
    public static final int DEFAULT_PORT = 7280;

    public ServerConfig {
        regions = regions == null ? List.of() : List.copyOf(regions);
    }
}
