package dev.outpost.cli.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.cli.output.Cells;
import dev.outpost.core.Json;
import dev.outpost.core.api.Event;
import dev.outpost.core.api.EventList;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code outpost events [APP]}: what the platform decided about the app and why (scaling, budget
 * thresholds, suspensions, deploys, failures), oldest first; {@code --follow} keeps printing new
 * ones as they happen (blocking queries on the store index) until Ctrl-C.
 */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Show the app's events; --follow prints new ones as they happen.")
public final class EventsCommand implements Callable<Integer> {
    static final Duration FOLLOW_WAIT = Duration.ofSeconds(30);

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Parameters(arity = "0..1", paramLabel = "APP", description = "The app (default: --app, or the app of outpost.toml).")
    String appArg;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until Ctrl-C.")
    boolean follow;

    @Option(names = "--limit", paramLabel = "N", description = "How many of the newest events to show first (default: 20, at most 1000).")
    int limit = 20;

    @Option(names = "--json", description = "Print each event as one JSON object per line.")
    boolean json;

    public EventsCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 1 || limit > 1000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit " + limit + " is out of range: give 1 to 1000");
        }
        String app = appArg != null ? appArg : target.app(env);
        PrintWriter out = spec.commandLine().getOut();
        try (ApiClient api = env.client()) {
            EventList page = api.events(app, null, limit, 0, null);
            if (page.events().isEmpty() && !json && !follow) {
                out.println("No events for " + app + " yet.");
            }
            print(out, page);
            if (follow) {
                follow(api, app, page, out);
            }
        }
        out.flush();
        return 0;
    }

    private void follow(ApiClient api, String app, EventList page, PrintWriter out) throws ApiException {
        long last = page.events().isEmpty() ? 0 : page.events().getLast().id();
        long index = page.index();
        while (!Thread.currentThread().isInterrupted()) {
            EventList next;
            try {
                next = api.events(app, last, 1000, index, FOLLOW_WAIT);
            } catch (ApiException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                throw e;
            }
            print(out, next);
            if (!next.events().isEmpty()) {
                last = next.events().getLast().id();
            }
            index = next.index();
        }
    }

    private void print(PrintWriter out, EventList page) {
        for (Event e : page.events()) {
            if (json) {
                try {
                    out.println(Json.mapper().writeValueAsString(e));
                } catch (JsonProcessingException x) {
                    throw new IllegalStateException("cannot write an event as JSON", x);
                }
            } else {
                out.println(Cells.instant(e.at()) + "  " + e.kind() + "  " + e.message());
            }
        }
        out.flush();
    }
}
