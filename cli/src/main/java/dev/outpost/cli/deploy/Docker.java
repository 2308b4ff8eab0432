package dev.outpost.cli.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code docker} command line, as the deploy runs it: check the daemon answers, build, tag,
 * push. Each call runs one {@code docker} process with stdout and stderr merged and hands every
 * line to the caller as it comes, so the user sees the build and the push live. The command lines
 * are built by the static {@code …Command} methods, which tests read.
 *
 * <p>The docker CLI rather than the Engine API: it does what the user's own {@code docker build}
 * would (their builder, contexts, {@code .dockerignore}, credential setup for base images), and
 * the push speaks the registry protocol for us.
 */
public final class Docker {
    /** How many of a command's last lines an error quotes. */
    static final int TAIL_LINES = 20;
    private static final Pattern PUSHED_DIGEST = Pattern.compile("digest: (sha256:[0-9a-f]{64})");

    private final String executable;
    private final Map<String, String> environment;

    /** Runs {@code executable} (a path, or a name looked up on PATH) with {@code environment} added to this process's. */
    public Docker(String executable, Map<String, String> environment) {
        this.executable = executable;
        this.environment = Map.copyOf(environment);
    }

    /** The {@code docker} on PATH, talking to whatever daemon the user's Docker settings name. */
    public static Docker onPath() {
        return new Docker("docker", Map.of());
    }

    public String executable() {
        return executable;
    }

    /** {@code docker build}: {@code dockerfile} with {@code context} as its build context, tagged {@code tag}. */
    public static List<String> buildCommand(String executable, Path dockerfile, Path context, String tag) {
        // --force-rm: a failed step's container would otherwise stay behind on the user's machine
        return List.of(executable, "build", "--force-rm", "-f", dockerfile.toString(), "-t", tag, context.toString());
    }

    public static List<String> tagCommand(String executable, String source, String target) {
        return List.of(executable, "tag", source, target);
    }

    /** {@code docker push} with its own configuration directory, which holds the registry's credentials. */
    public static List<String> pushCommand(String executable, Path dockerConfig, String reference) {
        return List.of(executable, "--config", dockerConfig.toString(), "push", reference);
    }

    /**
     * Fails unless {@code docker} runs and its daemon answers, saying which of the two is wrong and
     * what to do about it.
     */
    public void requireDaemon() throws DockerException {
        Result r = run(List.of(executable, "version", "--format", "{{.Server.Version}}"), line -> {});
        if (r.exit() != 0) {
            throw new DockerException("the Docker daemon is not answering (" + r.lastLine()
                    + "): start it (e.g. `sudo systemctl start docker`) or point DOCKER_HOST at one, then deploy again", r.tail());
        }
    }

    /** Whether a local image {@code reference} exists. */
    public boolean imageExists(String reference) throws DockerException {
        return run(List.of(executable, "image", "inspect", "--format", "{{.Id}}", reference), line -> {}).exit() == 0;
    }

    /** Builds {@code dockerfile} in {@code context} as {@code tag}, handing each output line to {@code output}. */
    public void build(Path dockerfile, Path context, String tag, Consumer<String> output) throws DockerException {
        Result r = run(buildCommand(executable, dockerfile, context, tag), output);
        if (r.exit() != 0) {
            throw new DockerException("docker build of " + dockerfile + " failed with exit code " + r.exit()
                    + " (its output is above): nothing was pushed or deployed; fix the Dockerfile and deploy again", r.tail());
        }
    }

    public void tag(String source, String target) throws DockerException {
        Result r = run(tagCommand(executable, source, target), line -> {});
        if (r.exit() != 0) {
            throw new DockerException("docker tag " + source + " " + target + " failed: " + r.lastLine(), r.tail());
        }
    }

    /**
     * Pushes {@code reference} with the credentials in {@code dockerConfig}, handing each output line
     * to {@code output}, and answers the digest of the manifest the registry stored.
     */
    public String push(String reference, Path dockerConfig, Consumer<String> output) throws DockerException {
        List<String> digests = new ArrayList<>();
        Result r = run(pushCommand(executable, dockerConfig, reference), line -> {
            Matcher m = PUSHED_DIGEST.matcher(line);
            if (m.find()) {
                digests.add(m.group(1));
            }
            output.accept(line);
        });
        if (r.exit() != 0) {
            throw new DockerException("docker push of " + reference + " failed with exit code " + r.exit() + ": " + r.lastLine(), r.tail());
        }
        if (digests.isEmpty()) {
            throw new DockerException("docker push of " + reference + " printed no manifest digest (no \"digest: sha256:…\" line)", r.tail());
        }
        return digests.getLast();
    }

    /** What a finished command left: its exit code and its last lines. */
    record Result(int exit, List<String> tail) {
        String lastLine() {
            for (int i = tail.size() - 1; i >= 0; i--) {
                if (!tail.get(i).isBlank()) {
                    return tail.get(i).strip();
                }
            }
            return "no output";
        }
    }

    private Result run(List<String> command, Consumer<String> output) throws DockerException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().putAll(environment);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new DockerException("docker is not installed (cannot run `" + executable + "`: " + e.getMessage()
                    + "): install Docker to deploy images (https://docs.docker.com/engine/install/), or set [build] cmd to deploy the directory as a source bundle", e);
        }
        Deque<String> tail = new ArrayDeque<>();
        try {
            p.getOutputStream().close();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                    output.accept(line);
                }
            }
            return new Result(p.waitFor(), List.copyOf(tail));
        } catch (IOException e) {
            p.destroyForcibly();
            throw new DockerException("reading the output of `" + String.join(" ", command) + "` failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DockerException("interrupted while `" + String.join(" ", command) + "` ran", e);
        }
    }
}
