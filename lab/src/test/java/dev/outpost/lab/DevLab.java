package dev.outpost.lab;

import static org.awaitility.Awaitility.await;

import dev.outpost.core.testing.TestRequire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code bin/outpost dev} in a temporary data directory, on free ports, with its own CLI
 * context directory, and helpers to run CLI commands and curl an edge. Everything it starts it stops.
 */
public final class DevLab implements AutoCloseable {
    /** The repository root: the lab module's parent. */
    public static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    public static final Path OUTPOST = ROOT.resolve("bin/outpost");

    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    public final Path home;
    public final Path data;
    public final Path config;
    public final List<String> regions;
    public final int apiPort;
    public final int httpPort;
    private final Path log;
    private Process dev;

    public DevLab(Path home, List<String> regions) throws IOException {
        this.home = home;
        this.data = home.resolve("data");
        this.config = home.resolve("config");
        this.regions = List.copyOf(regions);
        this.apiPort = freePort(List.of("127.0.0.1"));
        this.httpPort = freePort(edgeAddresses());
        this.log = home.resolve("dev.log");
    }

    /** Each region's edge address, {@code 127.i.0.1}. */
    private List<String> edgeAddresses() {
        List<String> edges = new ArrayList<>();
        for (int i = 1; i <= regions.size(); i++) {
            edges.add("127." + i + ".0.1");
        }
        return edges;
    }

    /** Starts {@code outpost dev} and waits for its banner. */
    public DevLab start() throws IOException {
        return start(new String[0]);
    }

    /** Starts {@code outpost dev} with more options (e.g. {@code --wan scaled}) and waits for its banner. */
    public DevLab start(String... devOptions) throws IOException {
        TestRequire.component("curl", TestRequire.onPath("curl"), "curl is not on PATH (apt-get install curl)");
        // A process started from a shell's background job inherits SIGINT as ignored, and a JVM
        // cannot undo that; perl (Essential on Debian) resets it so SIGINT acts as Ctrl-C would.
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "--"));
        List<String> devArgs = new ArrayList<>(List.of("dev", "--regions", String.join(",", regions), "--data", data.toString(),
                "--api-port", Integer.toString(apiPort), "--http-port", Integer.toString(httpPort)));
        devArgs.addAll(List.of(devOptions));
        if (!devArgs.contains("--https-port")) {
            // Not the default 8443: another platform on this machine may hold it on the edges' addresses.
            devArgs.addAll(List.of("--https-port", Integer.toString(freePort(edgeAddresses()))));
        }
        dev = env(new ProcessBuilder(withPrefix(cmd, command(devArgs.toArray(String[]::new)))))
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!dev.isAlive()) {
                throw new AssertionError("outpost dev exited with " + dev.exitValue() + ":\n" + devLog());
            }
            return devLog().contains("Outpost is running");
        });
        return this;
    }

    /** Copies examples/hello (its source, outpost.toml and .outpostignore) to {@code home/<name>}, returns that directory. */
    public static Path copyHello(Path home, String name) throws IOException {
        Path src = ROOT.resolve("examples/hello");
        Path dst = Files.createDirectories(home.resolve(name));
        for (String f : List.of("Hello.java", "outpost.toml", ".outpostignore")) {
            Files.copy(src.resolve(f), dst.resolve(f));
        }
        return dst;
    }

    public String devLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return dev.pid();
    }

    /** Runs {@code bin/outpost args…} in {@code dir} with this lab's context; waits at most 3 minutes. */
    public Result cli(Path dir, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = env(new ProcessBuilder(command(args))).directory(dir.toFile());
        Path out = Files.createTempFile(home, "cli", ".out");
        Path err = Files.createTempFile(home, "cli", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("outpost " + String.join(" ", args) + " did not finish in 3 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static List<String> withPrefix(List<String> prefix, List<String> command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        return all;
    }

    private static List<String> withPrefix(List<String> prefix, List<String> command, String... more) {
        List<String> all = withPrefix(prefix, command);
        all.addAll(List.of(more));
        return all;
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(OUTPOST.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A ProcessBuilder environment for every child: the lab's context directory, never the user's. */
    private ProcessBuilder env(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        env.put("OUTPOST_CONFIG_DIR", config.toString());
        env.remove("OUTPOST_API");
        env.remove("OUTPOST_TOKEN");
        return pb;
    }

    /** {@code curl -sS -H 'Host: <host>' http://<edge of region>:<port><path>}: status and body. */
    public Result curl(String region, String host, String path) throws IOException, InterruptedException {
        String edge = "127." + (regions.indexOf(region) + 1) + ".0.1";
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", "-H", "Host: " + host, "-o", "-", "-w", "\n%{http_code}",
                "http://" + edge + ":" + httpPort + path).redirectErrorStream(false).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String error = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(15, TimeUnit.SECONDS);
        int nl = output.lastIndexOf('\n');
        int status = nl < 0 ? 0 : Integer.parseInt(output.substring(nl + 1).trim().isEmpty() ? "0" : output.substring(nl + 1).trim());
        return new Result(status, nl < 0 ? output : output.substring(0, nl), error);
    }

    /** Kills {@code outpost dev} with SIGKILL: nothing of it gets to clean up (a crash). */
    public void kill() throws InterruptedException {
        if (dev != null && dev.isAlive()) {
            dev.destroyForcibly();
            dev.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Stops {@code outpost dev} with SIGINT, as Ctrl-C does, and waits for it to exit. */
    public int interrupt() throws IOException, InterruptedException {
        if (dev == null || !dev.isAlive()) {
            return dev == null ? -1 : dev.exitValue();
        }
        new ProcessBuilder("kill", "-INT", Long.toString(dev.pid())).start().waitFor(5, TimeUnit.SECONDS);
        if (!dev.waitFor(30, TimeUnit.SECONDS)) {
            dev.destroyForcibly();
            throw new AssertionError("outpost dev did not stop within 30 s of SIGINT:\n" + devLog());
        }
        return dev.exitValue();
    }

    /** Processes (other than outpost dev itself) whose working directory lies under this lab's data directory. */
    public List<Long> instanceProcesses() {
        List<Long> pids = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    Path cwd = Files.readSymbolicLink(p.resolve("cwd"));
                    if (cwd.startsWith(data)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException | SecurityException e) {
                    // A process that ended while we looked, or one we may not inspect: not ours.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    @Override
    public void close() throws Exception {
        interrupt();
        for (long pid : instanceProcesses()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static int freePort(List<String> hosts) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 30000);
            boolean free = true;
            for (String host : hosts) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(host, port));
                } catch (IOException e) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no free port found on " + hosts);
    }
}
