package dev.outpost.cli.command;

import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.output.Cells;
import dev.outpost.cli.output.JsonOutput;
import dev.outpost.cli.output.Table;
import dev.outpost.core.api.WebhookInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code outpost webhooks list}: id, URL, event kinds, creation time — never secrets. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the webhooks.")
public final class WebhooksListCommand implements Callable<Integer> {
    private final Environment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the webhooks as JSON.")
    boolean json;

    public WebhooksListCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        List<WebhookInfo> hooks;
        try (ApiClient api = env.client()) {
            hooks = api.webhooks();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, hooks);
            return 0;
        }
        if (hooks.isEmpty()) {
            out.println("No webhooks: add one with `outpost webhooks add URL --events budget,deploy`.");
            out.flush();
            return 0;
        }
        Table table = new Table("id", "url", "events", "created");
        hooks.forEach(h -> table.row(h.id(), h.url(), String.join(",", h.events()), Cells.instant(h.createdAt())));
        table.print(out);
        return 0;
    }
}
