package dev.outpost.cli;

import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.context.Context;
import dev.outpost.cli.context.ContextException;
import dev.outpost.cli.output.Terminal;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may read from the process around it: environment variables, the home and
 * working directories, and whether stdout is a terminal. Tests build one; {@link #system()} is the
 * real one.
 */
public record Environment(Map<String, String> variables, Path home, Path workingDirectory, boolean interactive) {
    public Environment {
        variables = Map.copyOf(variables);
        home = home.toAbsolutePath();
        workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    public static Environment system() {
        return new Environment(System.getenv(), Path.of(System.getProperty("user.home")), Path.of(""), Terminal.interactive());
    }

    /** The API context: {@code context.json} under the config directory, overridden by {@code OUTPOST_API}/{@code OUTPOST_TOKEN}. */
    public Context context() throws ContextException {
        return Context.load(variables, home);
    }

    /** A client of the context's API; the caller closes it. */
    public ApiClient client() throws ContextException {
        Context c = context();
        return new ApiClient(c.api(), c.token());
    }

    /** The HTTP address of the edge {@code outpost dev} runs beside the context's API, for hints; null when unknown. */
    public String devEdge() {
        try {
            return context().edge();
        } catch (ContextException e) {
            return null;
        }
    }

    /** {@code dir} resolved against the working directory; the working directory when null. */
    public Path resolve(Path dir) {
        return dir == null ? workingDirectory : workingDirectory.resolve(dir).normalize();
    }
}
