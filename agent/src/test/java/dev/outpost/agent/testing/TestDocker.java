package dev.outpost.agent.testing;

import dev.outpost.core.testing.TestRequire;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker Engine through the real {@code docker} CLI, for tests: builds images on top of
 * {@code outpost-test/busybox:1} (made by {@code scripts/docker-test-image}, since nothing can be
 * pulled), inspects and kills containers, and on {@link #close()} removes every container labelled
 * with its {@link #hostId()} and every image it built.
 */
public final class TestDocker implements AutoCloseable {
    public static final String BASE_IMAGE = "outpost-test/busybox:1";

    private final String hostId = "outpost-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> images = new ArrayList<>();

    private TestDocker() {}

    /** Skips (or fails, when {@code OUTPOST_TEST_REQUIRE} names docker) without an Engine; makes the base image. */
    public static TestDocker require() throws IOException, InterruptedException {
        Result info = run(null, "docker", "info", "--format", "{{.ServerVersion}}");
        TestRequire.component("docker", info.exit() == 0, "`docker info` failed: " + info.out().strip());
        Path script = repoRoot().resolve("scripts/docker-test-image");
        Result base = run(null, script.toString());
        if (base.exit() != 0) {
            throw new IllegalStateException(script + " failed: " + base.out());
        }
        return new TestDocker();
    }

    /** The host id to give drivers and agents, so that cleanup finds their containers. */
    public String hostId() {
        return hostId;
    }

    /** Builds {@code dockerfile} (no build context) and answers the image id, a {@code sha256:} digest. */
    public String build(String dockerfile) throws IOException, InterruptedException {
        String tag = hostId + "-" + images.size() + ":1";
        Result r = run(dockerfile, "docker", "build", "-q", "-t", tag, "-");
        if (r.exit() != 0) {
            throw new IllegalStateException("docker build failed: " + r.out());
        }
        images.add(tag);
        return docker("image", "inspect", "--format", "{{.Id}}", tag);
    }

    /** A web image: writes "hello from $OUTPOST_INSTANCE_ID" and serves it with busybox httpd on $PORT. */
    public String webImage() throws IOException, InterruptedException {
        return build("""
                FROM %s
                RUN mkdir -p /www
                CMD ["sh", "-c", "echo \\"hello from $OUTPOST_INSTANCE_ID\\" > /www/index.html && echo \\"serving on $PORT\\" && exec httpd -f -p $PORT -h /www"]
                """.formatted(BASE_IMAGE));
    }

    /** Removes the image {@code ref} (e.g. one a test pulled) on {@link #close()}. */
    public void removeLater(String ref) {
        images.add(ref);
    }

    /** True when skopeo runs here. */
    public static boolean skopeo() {
        return TestRequire.onPath("skopeo");
    }

    /** {@code docker <args>}; its trimmed output, or an exception with the output when it fails. */
    public String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Result r = run(null, cmd.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.out());
        }
        return r.out().strip();
    }

    /** Ids of this host's containers, running or not. */
    public List<String> containers() throws IOException, InterruptedException {
        return docker("ps", "-aq", "--no-trunc", "--filter", "label=dev.outpost.host=" + hostId).lines()
                .filter(l -> !l.isBlank()).sorted().toList();
    }

    /** Ids of this host's running containers. */
    public List<String> runningContainers() throws IOException, InterruptedException {
        return docker("ps", "-q", "--no-trunc", "--filter", "label=dev.outpost.host=" + hostId).lines()
                .filter(l -> !l.isBlank()).sorted().toList();
    }

    /** {@code docker inspect --format FORMAT container}. */
    public String inspect(String container, String format) throws IOException, InterruptedException {
        return docker("inspect", "--format", format, container);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        List<String> left = containers();
        if (!left.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f", "-v"));
            rm.addAll(left);
            docker(rm.toArray(String[]::new));
        }
        if (!images.isEmpty()) {
            List<String> rmi = new ArrayList<>(List.of("rmi", "-f"));
            rmi.addAll(images);
            docker(rmi.toArray(String[]::new));
        }
    }

    private record Result(int exit, String out) {}

    private static Result run(String stdin, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish within 120s");
        }
        return new Result(p.exitValue(), out);
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("scripts/docker-test-image"))) {
                return p;
            }
        }
        throw new IllegalStateException("no scripts/docker-test-image above " + Path.of("").toAbsolutePath());
    }
}
