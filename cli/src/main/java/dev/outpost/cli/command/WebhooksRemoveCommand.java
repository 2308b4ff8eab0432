package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code outpost webhooks remove ID}: stops sending; deliveries still pending for it are dropped. */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a webhook.")
public final class WebhooksRemoveCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The webhook (outpost webhooks list shows ids).")
    String id;

    public WebhooksRemoveCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        try (ApiClient api = env.client()) {
            api.removeWebhook(id);
        }
        spec.commandLine().getOut().println("webhook " + id + " removed");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
