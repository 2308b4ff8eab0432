package dev.outpost.proxy.testing;

import dev.outpost.core.testing.TestRequire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl (skipping the test, or failing where curl is required, when it is absent). */
public final class Curl {
    /** What curl printed and how it exited. */
    public record Result(int exit, String out, String err) {}

    private Curl() {}

    public static void require() {
        TestRequire.component("curl", onPath("curl"), "curl is not on PATH (apt-get install -y curl)");
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code tool args…} with a 30 s limit. */
    public static Result run(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tool);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        var out = process.getInputStream();
        var err = process.getErrorStream();
        // Read stderr on a virtual thread so neither pipe can fill and block the tool.
        var errText = new StringBuilder();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try {
                errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                errText.append("(stderr unreadable: ").append(e).append(')');
            }
        });
        String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(tool + " did not finish within 30s: " + command);
        }
        errReader.join();
        return new Result(process.exitValue(), outText, errText.toString());
    }
}
