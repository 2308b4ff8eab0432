package dev.outpost.agent.driver;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run: the instance's identity, its artifact ({@code bundle} is the verified source bundle
 * on disk for drivers that run source, null for image drivers, which use {@code artifactDigest}),
 * the command and the environment the server assigned (the driver adds {@code PORT} and
 * {@code OUTPOST_PRIVATE_IP}). {@code image} says the artifact is an OCI image (docker driver);
 * {@code internalPort} is the port an image listens on inside its container (the first service's
 * {@code internal_port}); {@code vmSize} names the {@code [vm] size} whose limits apply.
 */
public record InstanceSpec(String instanceId, String app, int release, String artifactDigest, Path bundle,
                           List<String> command, Map<String, String> env, boolean image, int internalPort,
                           String vmSize) {
    /** The port an app listens on when its config names no service, as Fly assumes. */
    public static final int DEFAULT_INTERNAL_PORT = 8080;

    public InstanceSpec {
        if (instanceId == null || !instanceId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("instance id \"" + instanceId
                    + "\" is invalid: use 1-128 letters, digits, '_', '.', '-', starting with a letter or digit");
        }
        if (internalPort < 1 || internalPort > 65535) {
            throw new IllegalArgumentException("internal port " + internalPort + " of instance " + instanceId
                    + " is out of range: use 1-65535");
        }
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        vmSize = vmSize == null ? "shared-1x" : vmSize;
    }

    /** A source bundle run by the process driver, with the default port and size. */
    public InstanceSpec(String instanceId, String app, int release, String artifactDigest, Path bundle,
                        List<String> command, Map<String, String> env) {
        this(instanceId, app, release, artifactDigest, bundle, command, env, false, DEFAULT_INTERNAL_PORT, null);
    }
}
