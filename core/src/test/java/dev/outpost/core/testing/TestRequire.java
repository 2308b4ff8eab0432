package dev.outpost.core.testing;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test whose component is missing, with the reason, unless {@code OUTPOST_TEST_REQUIRE}
 * (comma-separated, e.g. {@code postgresql,docker,curl}) names the component: then it fails, as in CI.
 */
public final class TestRequire {
    private TestRequire() {}

    /** Components CI promised to provide. */
    public static Set<String> required() {
        String v = System.getenv("OUTPOST_TEST_REQUIRE");
        if (v == null || v.isBlank() || v.startsWith("${")) {
            return Set.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    /**
     * Call with {@code available=false} when {@code component} cannot be found: skips the test
     * (saying {@code reason}), or fails it when the component is required.
     */
    public static void component(String component, boolean available, String reason) {
        if (available) {
            return;
        }
        String message = component + " is not available: " + reason;
        if (required().contains(component)) {
            throw new AssertionError(message + " (OUTPOST_TEST_REQUIRE names " + component + ")");
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /** True when {@code program} runs from PATH (e.g. {@code curl}). */
    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
