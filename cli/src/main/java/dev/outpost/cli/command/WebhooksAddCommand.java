package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.api.WebhookInfo;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost webhooks add URL --events budget,deploy,instance,scale}: prints the webhook's signing
 * secret once (it is never shown again), as Stripe does.
 */
@Command(name = "add", mixinStandardHelpOptions = true, description = "Add a webhook; prints its signing secret once.",
        footer = {"", "Each body is signed: header Outpost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the secret>."})
public final class WebhooksAddCommand implements Callable<Integer> {
    static final Set<String> KINDS = Set.of("budget", "deploy", "instance", "scale");

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "Where to POST the events (http or https).")
    String url;

    @Option(names = "--events", paramLabel = "KINDS", split = ",", required = true,
            description = "Event kinds to send: budget, deploy, instance, scale (comma-separated).")
    List<String> events;

    @Option(names = "--json", description = "Print the webhook (with its secret) as JSON.")
    boolean json;

    public WebhooksAddCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        check();
        WebhookInfo hook;
        try (ApiClient api = env.client()) {
            hook = api.addWebhook(url, events);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, hook);
            return 0;
        }
        out.println("webhook " + hook.id() + " sends " + String.join(",", hook.events()) + " events to " + hook.url());
        out.println("signing secret (shown only now; keep it to verify Outpost-Signature): " + hook.secret());
        out.flush();
        return 0;
    }

    private void check() {
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "webhook URL \"" + url + "\" is not an http(s) URL with a host: give http(s)://host/path");
            }
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "webhook URL \"" + url + "\" is not a URL (" + e.getReason() + ")");
        }
        for (String kind : events) {
            if (!KINDS.contains(kind)) {
                throw new ParameterException(spec.commandLine(), "event kind \"" + kind + "\" is unknown: use budget, deploy, instance, scale");
            }
        }
    }
}
