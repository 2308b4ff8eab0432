package dev.outpost.cli.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.outpost.cli.Environment;
import dev.outpost.cli.api.ApiClient;
import dev.outpost.cli.api.ApiException;
import dev.outpost.core.Durations;
import dev.outpost.core.Json;
import dev.outpost.core.api.LogLine;
import dev.outpost.core.api.LogPage;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code outpost logs}: the app's recent output from every instance, as {@code TIME REGION INSTANCE
 * LINE}; with {@code -f} it keeps following (long polls on the cursor) until Ctrl-C, riding out an
 * API that goes away for a while.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Show the app's logs; -f follows them.",
        footer = {"", "--grep is a plain, case-sensitive substring (no wildcards or patterns)."})
public final class LogsCommand implements Callable<Integer> {
    static final Duration FOLLOW_WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Environment env;

    @Spec
    CommandSpec spec;

    @Mixin
    AppOptions target;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C.")
    boolean follow;

    @Option(names = "--region", paramLabel = "R", description = "Only lines of instances in this region.")
    String region;

    @Option(names = "--instance", paramLabel = "ID", description = "Only lines of this instance.")
    String instance;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only lines since a duration ago (10m, 2h, 7d) or a time (2025-03-01T10:00:00Z).")
    String since;

    @Option(names = "--grep", paramLabel = "TEXT", description = "Only lines containing TEXT (plain, case-sensitive).")
    String grep;

    @Option(names = "--limit", paramLabel = "N", description = "How many of the newest lines to show first (default: 100, at most 10000).")
    int limit = 100;

    @Option(names = "--json", description = "Print each line as one JSON object per line.")
    boolean json;

    public LogsCommand(Environment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        String app = target.app(env);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("since", since);
        filters.put("region", region);
        filters.put("instance", instance);
        filters.put("grep", grep);
        filters.put("limit", Integer.toString(limit));
        PrintWriter out = spec.commandLine().getOut();
        try (ApiClient api = env.client()) {
            LogPage page = api.logs(app, filters, null, null);
            print(out, page);
            if (!follow) {
                return 0;
            }
            follow(api, app, filters, page.cursor(), out);
        }
        return 0;
    }

    private void follow(ApiClient api, String app, Map<String, String> filters, long cursor, PrintWriter out) throws ApiException {
        PrintWriter err = spec.commandLine().getErr();
        Duration retry = Duration.ofSeconds(1);
        boolean lost = false;
        while (!Thread.currentThread().isInterrupted()) {
            LogPage page;
            try {
                page = api.logs(app, filters, cursor, FOLLOW_WAIT);
            } catch (ApiException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (!e.transientFailure()) {
                    throw e;
                }
                if (!lost) {
                    err.println("outpost logs: " + e.getMessage() + "; still following, retrying");
                    err.flush();
                    lost = true;
                }
                try {
                    Thread.sleep(retry); // the API is away: wait before asking again
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
                retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
                continue;
            }
            if (lost) {
                err.println("outpost logs: the API answers again");
                err.flush();
                lost = false;
            }
            retry = Duration.ofSeconds(1);
            print(out, page);
            cursor = page.cursor();
        }
    }

    private void print(PrintWriter out, LogPage page) {
        for (LogLine l : page.lines()) {
            if (json) {
                try {
                    out.println(Json.mapper().writeValueAsString(l));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cannot write a log line as JSON", e);
                }
            } else {
                out.println((l.time() == null ? "-" : TIME.format(l.time())) + " " + l.region() + " " + l.instanceId() + " " + l.line());
            }
        }
        out.flush();
    }

    private void checkOptions() {
        if (limit < 1 || limit > 10_000) {
            throw new ParameterException(spec.commandLine(), "--limit " + limit + " is out of range (1-10000)");
        }
        if (grep != null && grep.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--grep needs some text");
        }
        if (since != null) {
            try {
                Durations.parse(since);
            } catch (IllegalArgumentException notADuration) {
                try {
                    Instant.parse(since);
                } catch (DateTimeParseException notATime) {
                    throw new ParameterException(spec.commandLine(), "--since " + since
                            + " is neither a duration (10m, 2h, 7d) nor a time (2025-03-01T10:00:00Z)");
                }
            }
        }
    }
}
