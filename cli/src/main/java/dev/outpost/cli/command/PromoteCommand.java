package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.core.model.Release;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost promote <app>-staging <app>}: a production release of the exact artifact staging
 * runs — no rebuild, no upload — with production's config and secrets.
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Deploy the artifact one app serves (usually <app>-staging) to another, without rebuilding it.")
public final class PromoteCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    FollowOptions follow;

    @Option(names = "--json", description = "Print the outcome as JSON (progress goes to stderr).")
    boolean json;

    @Parameters(index = "0", paramLabel = "FROM", description = "The app whose serving release to promote, e.g. hello-staging.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "The app to deploy it to, e.g. hello.")
    String to;

    public PromoteCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        try (ApiClient api = env.client()) {
            Release release = api.promote(from, to);
            progress.println("release v" + release.version() + " of " + to + ": " + (release.message() != null ? release.message()
                    : "promote " + from) + " (" + release.artifactDigest() + ")");
            progress.flush();
            return follow.follow(env, api, release, out, progress, json);
        }
    }
}
