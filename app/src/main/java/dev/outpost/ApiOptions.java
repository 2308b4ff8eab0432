package dev.outpost;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How a part of the platform (agent, proxy) finds the API and proves who it is: a picocli mixin. */
final class ApiOptions {
    @Option(names = "--server", paramLabel = "URL", description = "The API (default: $OUTPOST_API or http://127.0.0.1:7280).")
    String server;

    @Option(names = "--token", paramLabel = "T", description = "API token (default: $OUTPOST_TOKEN).")
    String token;

    /** The API's base URL: {@code --server}, else {@code $OUTPOST_API}, else the local default. */
    String api() {
        return server != null ? server : System.getenv().getOrDefault("OUTPOST_API", "http://127.0.0.1:7280");
    }

    /** {@code --token}, else {@code $OUTPOST_TOKEN}; none is wrong usage of {@code spec}'s command. */
    String token(CommandLine.Model.CommandSpec spec) {
        String secret = token != null ? token : System.getenv("OUTPOST_TOKEN");
        if (secret == null || secret.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no token: pass --token or set OUTPOST_TOKEN");
        }
        return secret;
    }
}
