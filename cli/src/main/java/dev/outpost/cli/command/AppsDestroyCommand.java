package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code outpost apps destroy NAME --yes}: deletes an app; without {@code --yes} it refuses (exit 2). */
@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = "Destroy an app: its instances stop and its routes go at once.")
public final class AppsDestroyCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The app to destroy.")
    String name;

    @Option(names = "--yes", description = "Confirm: destroying cannot be undone.")
    boolean yes;

    public AppsDestroyCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (!yes) {
            throw new ParameterException(spec.commandLine(), "refusing to destroy app " + name
                    + " without confirmation: its instances stop and its routes go at once; add --yes to destroy it");
        }
        try (ApiClient api = env.client()) {
            api.destroyApp(name);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("destroyed app " + name);
        out.flush();
        return 0;
    }
}
