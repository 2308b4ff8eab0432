package dev.outpost.cli.deploy;

import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.ReleaseStatus;

/**
 * How a deploy ended, as {@code --json} prints it: the release, its artifact, whether this deploy
 * uploaded it, the release's last seen status, the failure when it failed, and the app's URL.
 */
public record DeployResult(String app, int release, String digest, boolean uploaded, ReleaseStatus status,
                           DeployFailure failure, String url) {

    /** The address {@code outpost dev}'s edges answer for an app. */
    public static String devUrl(String app) {
        return "http://" + app + ".outpost.localhost:8080";
    }
}
