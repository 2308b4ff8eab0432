package dev.outpost.cli.command;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.deploy.DeployReport;
import dev.outpost.cli.deploy.DeployRequest;
import dev.outpost.cli.deploy.DeployResult;
import dev.outpost.cli.deploy.Deployer;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.config.ConfigParser;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost deploy}: packs the app directory, creates a release and follows it until it is active or failed. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Deploy the app in this directory and wait until the new release serves.")
public final class DeployCommand implements Callable<Integer> {
    /** Slack over the release's own deadline, so the server, not the CLI, says why a deploy failed. */
    static final Duration DEADLINE_SLACK = Duration.ofSeconds(30);

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = "--detach", description = "Return once the release is created.")
    boolean detach;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to follow the deploy (default: deploy.wait_timeout of outpost.toml + 30s).")
    Duration waitTimeout;

    @Option(names = "--json", description = "Print the outcome as JSON (progress goes to stderr).")
    boolean json;

    @Option(names = "--env", paramLabel = "ENV", description = "staging: deploy as <app>-staging (created if missing), for `outpost promote`.")
    String environment;

    @Option(names = "--image", paramLabel = "REF",
            description = "Deploy this local Docker image (pushed to the Outpost registry) instead of what [build] says.")
    String image;

    public DeployCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Path toml = target.toml(env);
        if (!Files.isRegularFile(toml)) {
            throw new CliException("no outpost.toml in " + target.dir(env) + ": run `outpost launch` to create one");
        }
        AppConfig config = ConfigParser.parse(toml);
        String app = StagingApp.name(spec, target.app(config), environment);
        Duration wait = waitTimeout != null ? waitTimeout : config.deploy().waitTimeout().plus(DEADLINE_SLACK);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        try (ApiClient api = env.client()) {
            if (!app.equals(target.app(config))) {
                StagingApp.ensure(api, app, target.app(config), config, progress);
            }
            DeployResult result = new Deployer(api, progress, env.interactive() && !json)
                    .deploy(new DeployRequest(target.dir(env), app, config, detach, wait).withImage(image));
            return DeployReport.print(result, out, json, env.devEdge());
        }
    }
}
