package dev.outpost.core.model;

import java.util.List;

/**
 * Why a deploy failed, in the words the CLI shows: the instance and region, its exit code if it
 * exited, the check that failed with its last output, and the last lines the instance printed.
 */
public record DeployFailure(String reason, String instanceId, String region, Integer exitCode, String check,
                            List<String> logTail) {
    public DeployFailure {
        logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }
}
