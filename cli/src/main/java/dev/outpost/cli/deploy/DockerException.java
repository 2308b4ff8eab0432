package dev.outpost.cli.deploy;

import java.util.List;

/**
 * {@code docker} is missing, its daemon is down, or a build, tag or push failed. The message says
 * which and what to do; {@link #tail()} holds the command's last output lines (already shown to
 * the user while it ran).
 */
public final class DockerException extends DeployException {
    private final List<String> tail;

    public DockerException(String message, List<String> tail) {
        super(message);
        this.tail = List.copyOf(tail);
    }

    public DockerException(String message, Throwable cause) {
        super(message, cause);
        this.tail = List.of();
    }

    public List<String> tail() {
        return tail;
    }
}
