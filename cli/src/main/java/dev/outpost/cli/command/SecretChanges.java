package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.deploy.DeployException;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.api.ChangeSecretsRequest;
import dev.outpost.core.api.SecretsChange;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** What {@code secrets set} and {@code secrets unset} share: send the change, say what it did, follow its release. */
final class SecretChanges {
    private SecretChanges() {}

    static int apply(Environment env, ApiClient api, String app, ChangeSecretsRequest change, FollowOptions follow, CommandSpec spec,
                     boolean json) throws ApiException, DeployException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        SecretsChange answer = api.changeSecrets(app, change);
        if (answer.release() == null) {
            // no release: either nothing changed, or the app has never been deployed
            if (json) {
                JsonOutput.print(out, answer);
            } else if (api.releases(app).isEmpty()) {
                out.println("secrets of " + app + " stored; " + app + " has no release yet: its first deploy runs with them");
            } else {
                out.println("secrets of " + app + " unchanged: they already had these values");
            }
            out.flush();
            return 0;
        }
        progress.println("secrets of " + app + " changed; release v" + answer.release().version() + " rolls them out");
        progress.flush();
        return follow.follow(env, api, answer.release(), out, progress, json);
    }
}
