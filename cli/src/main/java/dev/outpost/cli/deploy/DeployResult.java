package dev.outpost.cli.deploy;

import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.ReleaseStatus;

/**
 * How a deploy ended, as {@code --json} prints it: the release, its artifact, whether this deploy
 * uploaded it, the release's last seen status, the failure when it failed, and the Host name every edge routes to the app.
 */
public record DeployResult(String app, int release, String digest, boolean uploaded, ReleaseStatus status,
                           DeployFailure failure, String host) {

    /** The Host name every edge answers for an app (plain {@code app} works too). */
    public static String hostFor(String app) {
        return app + ".outpost.localhost";
    }
}
