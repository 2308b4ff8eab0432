package dev.outpost.agent.driver;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run: the instance's identity, its artifact ({@code bundle} is the verified source bundle
 * on disk for drivers that run source, null for image drivers, which use {@code artifactDigest}),
 * the command and the environment the server assigned (the driver adds {@code PORT} and
 * {@code OUTPOST_PRIVATE_IP}).
 */
public record InstanceSpec(String instanceId, String app, int release, String artifactDigest, Path bundle,
                           List<String> command, Map<String, String> env) {
    public InstanceSpec {
        if (instanceId == null || !instanceId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("instance id \"" + instanceId
                    + "\" is invalid: use 1-128 letters, digits, '_', '.', '-', starting with a letter or digit");
        }
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
