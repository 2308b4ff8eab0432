package dev.outpost.cli.deploy;

import dev.outpost.cli.output.JsonOutput;
import dev.outpost.core.model.DeployFailure;
import java.io.PrintWriter;

/** The last words of a deploy: what happened to the release, and the exit code that says it. */
public final class DeployReport {
    private DeployReport() {}

    /** Prints {@code result} (as JSON when {@code json}) and answers the exit code: 0 active or detached, else 1. */
    public static int print(DeployResult result, PrintWriter out, boolean json) {
        return print(result, out, json, null);
    }

    /**
     * As {@link #print(DeployResult, PrintWriter, boolean)}; {@code edge}, the HTTP address ({@code host:port})
     * of the edge {@code outpost dev} runs (from the context), makes the hint a command that works as printed.
     */
    public static int print(DeployResult result, PrintWriter out, boolean json, String edge) {
        int exit = switch (result.status()) {
            case ACTIVE, DEPLOYING -> 0;
            case FAILED, SUPERSEDED -> 1;
        };
        if (json) {
            JsonOutput.print(out, result);
            return exit;
        }
        String release = "release v" + result.release() + " of " + result.app();
        switch (result.status()) {
            case ACTIVE -> {
                out.println(release + " is active");
                out.println("  every region's edge serves it as Host: " + result.host()
                        + (edge == null ? "" : " (try: curl -H 'Host: " + result.host() + "' http://" + edge + "/)"));
            }
            case DEPLOYING -> out.println(release + " is deploying; follow it with `outpost status --app " + result.app() + "`");
            case SUPERSEDED -> out.println(release + " was superseded by a newer release before it became active");
            case FAILED -> printFailure(out, release, result.failure());
        }
        out.flush();
        return exit;
    }

    private static void printFailure(PrintWriter out, String release, DeployFailure f) {
        if (f == null) {
            out.println(release + " failed (the server gave no reason)");
            return;
        }
        out.println(release + " failed: " + (f.reason() == null ? "no reason given" : f.reason()));
        if (f.instanceId() != null) {
            out.println("  instance " + f.instanceId() + (f.region() == null ? "" : " in " + f.region()));
        }
        if (f.exitCode() != null) {
            out.println("  exit code " + f.exitCode());
        }
        if (f.check() != null) {
            out.println("  failing check: " + f.check());
        }
        if (!f.logTail().isEmpty()) {
            out.println("  last log lines:");
            f.logTail().forEach(line -> out.println("    " + line));
        }
    }
}
