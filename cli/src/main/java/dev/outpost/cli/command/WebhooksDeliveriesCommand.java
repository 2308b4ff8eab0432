package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.WebhookDeliveryInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost webhooks deliveries}: the last deliveries, newest first, with status, attempts and the last answer. */
@Command(name = "deliveries", mixinStandardHelpOptions = true, description = "Show recent webhook deliveries and their attempts.")
public final class WebhooksDeliveriesCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--webhook", paramLabel = "ID", description = "Only this webhook's deliveries.")
    String webhook;

    @Option(names = "--json", description = "Print the deliveries as JSON.")
    boolean json;

    public WebhooksDeliveriesCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<WebhookDeliveryInfo> deliveries;
        try (ApiClient api = env.client()) {
            deliveries = api.webhookDeliveries(webhook);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, deliveries);
            return 0;
        }
        if (deliveries.isEmpty()) {
            out.println("No deliveries yet.");
            out.flush();
            return 0;
        }
        Table table = new Table("id", "webhook", "event", "status", "attempts", "last", "next attempt");
        deliveries.forEach(d -> table.row(d.id(), d.webhookId(), d.eventId(), d.status(), d.attempts(),
                d.lastError() != null ? d.lastError() : d.lastCode() != null ? "HTTP " + d.lastCode() : "-",
                "pending".equals(d.status()) ? Cells.instant(d.nextAttempt()) : "-"));
        table.print(out);
        return 0;
    }
}
