package dev.outpost.cli.testing;

import dev.outpost.core.testing.TestRequire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker Engine for CLI tests: skips (or, under {@code OUTPOST_TEST_REQUIRE=docker},
 * fails) when it does not answer, makes sure the local base image {@code outpost-test/busybox:1}
 * exists (built by {@code scripts/docker-test-image}, since nothing can be pulled), and removes the
 * images a test tagged.
 */
public final class DockerFixture {
    public static final String BASE_IMAGE = "outpost-test/busybox:1";

    private DockerFixture() {}

    /** Exit code and merged output of one {@code docker} (or other) command. */
    public record Run(int exit, String output) {}

    /** Skips the test unless {@code docker} runs and its daemon answers; then ensures the base image. */
    public static void require() {
        Run version;
        try {
            version = run("docker", "version", "--format", "{{.Server.Version}}");
        } catch (IOException e) {
            TestRequire.component("docker", false, "cannot run docker: " + e.getMessage());
            return;
        }
        TestRequire.component("docker", version.exit() == 0, "no Docker Engine answers `docker version`: " + version.output().strip());
        try {
            if (run("docker", "image", "inspect", BASE_IMAGE).exit() != 0) {
                Path script = scripts().resolve("docker-test-image");
                Run built = run(script.toString());
                if (built.exit() != 0) {
                    throw new AssertionError(script + " failed: " + built.output());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot make " + BASE_IMAGE + ": " + e.getMessage(), e);
        }
    }

    /** Removes every local tag whose repository starts with {@code prefix} (e.g. {@code 127.0.0.1:40123/}). */
    public static void removeImages(String prefix) throws IOException {
        Run list = run("docker", "images", "--format", "{{.Repository}}:{{.Tag}}");
        List<String> mine = list.output().lines().filter(l -> l.startsWith(prefix)).toList();
        if (!mine.isEmpty()) {
            List<String> rmi = new ArrayList<>(List.of("docker", "rmi", "--force"));
            rmi.addAll(mine);
            Run removed = run(rmi.toArray(String[]::new));
            if (removed.exit() != 0) {
                throw new IOException("docker rmi " + mine + " failed: " + removed.output());
            }
        }
    }

    public static Run run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Run(p.exitValue(), output);
    }

    private static Path scripts() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("scripts")) && Files.exists(dir.resolve("scripts/docker-test-image"))) {
                return dir.resolve("scripts");
            }
        }
        throw new AssertionError("no scripts/docker-test-image above " + Path.of("").toAbsolutePath());
    }
}
