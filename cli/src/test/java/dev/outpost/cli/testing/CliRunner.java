package dev.outpost.cli.testing;

import dev.outpost.cli.Environment;
import dev.outpost.cli.OutpostCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs the {@code outpost} command line in a test environment and captures what it printed. */
public final class CliRunner {
    private CliRunner() {}

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** An environment talking to {@code api} with its token, config under {@code home}, working in {@code dir}. */
    public static Environment environment(FakeOutpostApi api, Path home, Path dir) {
        Map<String, String> vars = new HashMap<>();
        vars.put("OUTPOST_CONFIG_DIR", home.resolve("config").toString());
        if (api != null) {
            vars.put("OUTPOST_API", api.url());
            vars.put("OUTPOST_TOKEN", FakeOutpostApi.TOKEN);
        }
        return new Environment(vars, home, dir, false);
    }

    public static Result run(Environment env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = OutpostCommand.commandLine(env);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
