package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.deploy.DeployException;
import dev.outpost.cli.deploy.DeployReport;
import dev.outpost.cli.deploy.Deployer;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.model.Release;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * {@code --detach} and {@code --wait-timeout} of the commands that make a release without a deploy
 * of their own (rollback, promote, secrets changes): they follow it the way {@code outpost deploy} does.
 */
public final class FollowOptions {
    @Option(names = "--detach", description = "Return once the release is created.")
    boolean detach;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to follow the deploy (default: the release's deadline + 30s).")
    Duration waitTimeout;

    /**
     * Follows {@code release} until it is active or failed, printing progress to {@code progress} and
     * the outcome to {@code out} (as JSON with {@code json}); returns the exit code.
     */
    int follow(Environment env, ApiClient api, Release release, PrintWriter out, PrintWriter progress, boolean json)
            throws ApiException, DeployException {
        if (detach) {
            if (json) {
                JsonOutput.print(out, release);
                return 0;
            }
            out.println("release v" + release.version() + " of " + release.app() + " is deploying; follow it with `outpost status --app "
                    + release.app() + "`");
            out.flush();
            return 0;
        }
        Duration wait = waitTimeout;
        if (wait == null) {
            Duration left = release.deadline() == null ? Duration.ofMinutes(2) : Duration.between(Instant.now(), release.deadline());
            wait = (left.isNegative() ? Duration.ZERO : left).plus(DeployCommand.DEADLINE_SLACK);
        }
        return DeployReport.print(new Deployer(api, progress, env.interactive() && !json).follow(release, wait), out, json, env.devEdge());
    }
}
