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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost rollback [VERSION]}: deploys an earlier release's artifact and config as a new release. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Deploy an earlier release again, as a new release (default: the one that served before the current one).")
public final class RollbackCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Mixin
    FollowOptions follow;

    @Option(names = "--json", description = "Print the outcome as JSON (progress goes to stderr).")
    boolean json;

    @Parameters(arity = "0..1", paramLabel = "VERSION", description = "The release to go back to, e.g. 3 or v3.")
    String version;

    public RollbackCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Integer v = parseVersion();
        String app = target.app(env);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progress = json ? spec.commandLine().getErr() : out;
        try (ApiClient api = env.client()) {
            Release release = api.rollback(app, v);
            progress.println("release v" + release.version() + " of " + app + ": " + (release.message() != null ? release.message()
                    : "rollback"));
            progress.flush();
            return follow.follow(env, api, release, out, progress, json);
        }
    }

    private Integer parseVersion() {
        if (version == null) {
            return null;
        }
        String digits = version.startsWith("v") ? version.substring(1) : version;
        try {
            int v = Integer.parseInt(digits);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with what was expected
        }
        throw new ParameterException(spec.commandLine(), "VERSION \"" + version + "\" is not a release number (e.g. 3 or v3;"
                + " outpost releases lists them)");
    }
}
