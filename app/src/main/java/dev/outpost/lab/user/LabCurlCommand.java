package dev.outpost.lab.user;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost lab curl --from REGION [--access 5ms] [curl options…] URL}: the real curl, as a
 * user near REGION's edge. curl connects to an {@link AccessLink} through {@code --connect-to},
 * so the URL's host, the TLS SNI and every curl option work as they would without the lab.
 * Exits with curl's own exit code. Register with unmatched options as positional parameters
 * ({@link #commandLine}), so curl's options pass through untouched.
 */
@Command(name = "curl", mixinStandardHelpOptions = true,
        description = "Run curl as a user near REGION's edge (across an access link); curl's options and exit code pass through.")
public final class LabCurlCommand implements Callable<Integer> {
    private final Environment env;

    @Option(names = "--from", required = true, paramLabel = "REGION", description = "The region whose edge the user is near.")
    String from;

    @Option(names = "--access", paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "One-way latency between the user and the edge (default: 5ms).")
    Duration access = AccessLink.DEFAULT_ONE_WAY;

    @Parameters(arity = "1..*", paramLabel = "CURL_ARG", description = "curl's options and the URL, as curl takes them.")
    List<String> curlArgs;

    public LabCurlCommand(Environment env) {
        this.env = env;
    }

    /** The command as {@code outpost lab} registers it: options it does not know are curl's. */
    public static picocli.CommandLine commandLine(Environment env) {
        return new picocli.CommandLine(new LabCurlCommand(env)).setUnmatchedOptionsArePositionalParams(true);
    }

    @Override
    public Integer call() throws Exception {
        URI url = url(curlArgs);
        try (ApiClient api = env.client(); AccessLink link = AccessLink.open(api, from, url, access)) {
            List<String> command = new ArrayList<>(List.of("curl", "--connect-to",
                    "::" + link.address().getAddress().getHostAddress() + ":" + link.address().getPort()));
            command.addAll(curlArgs);
            Process curl;
            try {
                curl = new ProcessBuilder(command).inheritIO().start();
            } catch (IOException e) {
                throw new CliException("cannot run curl (is it installed and on PATH?): " + e.getMessage(), e);
            }
            try {
                return curl.waitFor();
            } catch (InterruptedException e) {
                curl.destroy();
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while curl was running", e);
            }
        }
    }

    /** The first argument that is an http or https URL: the one whose port the access link leads to. */
    static URI url(List<String> args) throws CliException {
        for (String a : args) {
            String lower = a.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                try {
                    URI url = URI.create(a);
                    AccessLink.port(url);
                    return url;
                } catch (IllegalArgumentException e) {
                    throw new CliException("URL " + a + " is not valid: " + e.getMessage(), CliException.USAGE);
                }
            }
        }
        throw new CliException("no URL given: end with one such as http://hello.outpost.localhost:8080/", CliException.USAGE);
    }
}
