package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.core.api.ChangeSecretsRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost secrets unset K…}: removes secrets and follows the release that runs without them. */
@Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove secrets and deploy the app without them as a new release.")
public final class SecretsUnsetCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Mixin
    FollowOptions follow;

    @Option(names = "--json", description = "Print the outcome as JSON (progress goes to stderr).")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Secrets to remove.")
    List<String> names;

    public SecretsUnsetCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String app = target.app(env);
        try (ApiClient api = env.client()) {
            return SecretChanges.apply(env, api, app, new ChangeSecretsRequest(Map.of(), List.copyOf(names)), follow, spec, json);
        }
    }
}
