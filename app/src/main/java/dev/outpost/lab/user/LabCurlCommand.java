package dev.outpost.lab.user;

import dev.outpost.cli.CliException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost lab curl --from REGION [--access 5ms] [--to ADDRESS:PORT] [--repeat N] [curl
 * options…] URL}: the real curl, as a user near REGION's edge. curl connects to an
 * {@link AccessLink} through {@code --connect-to}, so the URL's host, the TLS SNI and every curl
 * option (timings with {@code -w '%{time_starttransfer}'} included) work as they would without the
 * lab. {@code --to} skips the edge: the link leads to ADDRESS:PORT in whichever region owns it,
 * across the WAN (the user of a server without Outpost). {@code --repeat} sends the request N times
 * in one curl run, on one connection when the server keeps it open. Exits with curl's own exit
 * code. Register with unmatched options as positional parameters ({@link #commandLine}), so curl's
 * options pass through untouched.
 */
@Command(name = "curl", mixinStandardHelpOptions = true,
        description = "Run curl as a user near REGION's edge (across an access link); curl's options and exit code pass through.")
public final class LabCurlCommand implements Callable<Integer> {
    /** The most {@code --repeat} takes: every repetition is one more argument on curl's command line. */
    static final int MAX_REPEAT = 10_000;
    private static final Pattern TARGET = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d{1,5})");

    private final Environment env;

    @Option(names = "--from", required = true, paramLabel = "REGION", description = "The region whose edge the user is near.")
    String from;

    @Option(names = "--access", paramLabel = "DURATION", converter = dev.outpost.cli.command.DurationConverter.class,
            description = "One-way latency between the user and the edge (default: 5ms).")
    Duration access = AccessLink.DEFAULT_ONE_WAY;

    @Option(names = "--to", paramLabel = "ADDRESS:PORT",
            description = "Skip the edge: connect to ADDRESS:PORT (a lab address, e.g. 127.0.0.1:8443) across the access link "
                    + "and the WAN from REGION to the region owning ADDRESS, as a user of a server without Outpost.")
    String to;

    @Option(names = "--repeat", paramLabel = "N",
            description = "Send the request N times in one curl run, on one connection when the server keeps it open (default: 1).")
    int repeat = 1;

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
        if (repeat < 1 || repeat > MAX_REPEAT) {
            throw new CliException("--repeat takes 1 to " + MAX_REPEAT + " requests, got " + repeat, CliException.USAGE);
        }
        InetSocketAddress target = to == null ? null : target(to);
        try (ApiClient api = env.client();
             AccessLink link = target == null ? AccessLink.open(api, from, url, access) : AccessLink.openTo(api, from, target, access)) {
            List<String> command = curlCommand(link.address(), curlArgs, repeat);
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
        int i = urlIndex(args);
        try {
            URI url = URI.create(args.get(i));
            AccessLink.port(url);
            return url;
        } catch (IllegalArgumentException e) {
            throw new CliException("URL " + args.get(i) + " is not valid: " + e.getMessage(), CliException.USAGE);
        }
    }

    private static int urlIndex(List<String> args) throws CliException {
        for (int i = 0; i < args.size(); i++) {
            String lower = args.get(i).toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                return i;
            }
        }
        throw new CliException("no URL given: end with one such as http://hello.outpost.localhost:8080/", CliException.USAGE);
    }

    /** {@code --to}'s value: an IPv4 address and a port; anything else is a usage error saying what is wrong. */
    static InetSocketAddress target(String value) throws CliException {
        Matcher m = TARGET.matcher(value);
        if (!m.matches()) {
            throw new CliException("--to " + value + ": give ADDRESS:PORT with an IPv4 address of the lab, e.g. 127.0.0.1:8443",
                    CliException.USAGE);
        }
        for (String octet : m.group(1).split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                throw new CliException("--to " + value + ": " + m.group(1) + " is not an IPv4 address (" + octet + " > 255)",
                        CliException.USAGE);
            }
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw new CliException("--to " + value + ": port must be 1 to 65535, got " + port, CliException.USAGE);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(m.group(1)), port);
        } catch (UnknownHostException e) {
            throw new CliException("--to " + value + ": " + e.getMessage(), CliException.USAGE);
        }
    }

    /**
     * curl's command line: connect to {@code via} whatever the URL names, the user's arguments, and
     * for {@code repeat} > 1 the URL again that many times in all. curl pairs each {@code -o} with one
     * URL, so a given output file (e.g. {@code -o /dev/null}) is repeated with the URL.
     */
    static List<String> curlCommand(InetSocketAddress via, List<String> curlArgs, int repeat) throws CliException {
        List<String> command = new ArrayList<>(List.of("curl", "--connect-to", "::" + via.getAddress().getHostAddress() + ":" + via.getPort()));
        command.addAll(curlArgs);
        String url = curlArgs.get(urlIndex(curlArgs));
        String output = output(curlArgs);
        for (int i = 1; i < repeat; i++) {
            if (output != null) {
                command.add("-o");
                command.add(output);
            }
            command.add(url);
        }
        return command;
    }

    /** The file of curl's first {@code -o FILE}, {@code -oFILE}, {@code --output FILE} or flags ending in o ({@code -so FILE}); null if none. */
    private static String output(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean last = i + 1 >= args.size();
            if (a.equals("--output") && !last) {
                return args.get(i + 1);
            }
            if (a.startsWith("-") && !a.startsWith("--") && a.length() > 1) {
                int o = a.indexOf('o');
                if (o > 0 && a.substring(1, o).chars().allMatch(Character::isLetter)) {
                    if (o < a.length() - 1) {
                        return a.substring(o + 1);
                    }
                    if (!last) {
                        return args.get(i + 1);
                    }
                }
            }
        }
        return null;
    }
}
