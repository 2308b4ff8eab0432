package dev.outpost.cli.command;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.core.api.ChangeSecretsRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code outpost secrets set K=V…}: sets secrets and follows the release that rolls them out.
 * {@code K=-} reads the value from standard input, so it never appears in the shell's history.
 */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = "Set secrets (NAME=VALUE, or NAME=- to read the value from stdin) and deploy them as a new release.")
public final class SecretsSetCommand implements Callable<Integer> {
    private final Environment env;
    /** Where {@code K=-} reads from; tests give their own. */
    InputStream stdin = System.in;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Mixin
    FollowOptions follow;

    @Option(names = "--json", description = "Print the outcome as JSON (progress goes to stderr).")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "NAME=VALUE", description = "Secrets to set; NAME=- reads the value from stdin.")
    List<String> assignments;

    public SecretsSetCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> values = parse();
        String app = target.app(env);
        try (ApiClient api = env.client()) {
            return SecretChanges.apply(env, api, app, new ChangeSecretsRequest(values, List.of()), follow, spec, json);
        }
    }

    private Map<String, String> parse() throws CliException {
        Map<String, String> values = new LinkedHashMap<>();
        boolean stdinUsed = false;
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                // never echo the argument: it may be a value typed without its name
                throw new ParameterException(spec.commandLine(), "secrets are NAME=VALUE (or NAME=- to read the value from stdin);"
                        + " argument " + (assignments.indexOf(a) + 1) + " has no NAME=");
            }
            String name = a.substring(0, eq);
            String value = a.substring(eq + 1);
            if (value.equals("-")) {
                if (stdinUsed) {
                    throw new ParameterException(spec.commandLine(), "only one secret can read its value from stdin (NAME=-)");
                }
                stdinUsed = true;
                value = readStdin(name);
            }
            if (values.put(name, value) != null) {
                throw new ParameterException(spec.commandLine(), "secret " + name + " is given twice");
            }
        }
        return values;
    }

    private String readStdin(String name) throws CliException {
        try {
            String value = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            // `echo value | outpost secrets set K=-` adds one newline that is not part of the value
            return value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
        } catch (IOException e) {
            throw new CliException("cannot read the value of " + name + " from stdin: " + e.getMessage());
        }
    }
}
