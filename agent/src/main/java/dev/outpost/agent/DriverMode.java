package dev.outpost.agent;

import java.util.Locale;

/**
 * Which runtimes an agent uses: {@code auto} runs images with Docker when its Engine answers at start
 * and source bundles as processes; {@code docker} insists on the Engine (the agent refuses to start
 * without one); {@code process} never touches Docker, so image apps fail on that host.
 */
public enum DriverMode {
    AUTO, DOCKER, PROCESS;

    /** {@code auto}, {@code docker} or {@code process}, as {@code --driver} takes it. */
    public static DriverMode parse(String text) {
        for (DriverMode m : values()) {
            if (m.wire().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("driver \"" + text + "\" is unknown: use docker, process or auto");
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
