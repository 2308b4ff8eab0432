package dev.outpost.server.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.CreateAppRequest;
import dev.outpost.core.testing.TestRequire;
import dev.outpost.server.ServerFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against a real server: {@code docker push}/{@code pull} through a real Docker Engine and
 * {@code skopeo copy} in three directions, each checking the manifest digest survives the trip. Docker
 * runs with a temporary {@code DOCKER_CONFIG}, so the user's {@code ~/.docker} is never touched; every
 * image made here is named {@code outpost-test-…} or {@code 127.0.0.1:<port>/…} and removed afterwards.
 */
class RegistryClientsTest {
    private static final Pattern PUSHED = Pattern.compile("digest: (sha256:[a-f0-9]{64})");
    private static final Pattern PULLED = Pattern.compile("Digest: (sha256:[a-f0-9]{64})");

    @TempDir
    Path dir;
    ServerFixture f;
    String registry;
    Path dockerConfig;
    final List<String> images = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        TestRequire.component("docker", TestRequire.onPath("docker") && run(List.of("docker", "info"), null).exit == 0,
                "no docker CLI on PATH or no Docker Engine answering on its socket");
        f = new ServerFixture(dir.resolve("server"));
        for (String app : List.of("web", "api")) {
            assertThat(f.call("POST", "/v1/apps", new CreateAppRequest(app, "iad")).statusCode()).isEqualTo(201);
        }
        registry = "127.0.0.1:" + f.server.url().getPort();
        dockerConfig = Files.createDirectories(dir.resolve("docker-config"));
        Result base = run(List.of(repoRoot().resolve("scripts/docker-test-image").toString()), null);
        assertThat(base.exit).as(base.output).isZero();
    }

    @AfterEach
    void stop() throws Exception {
        for (String image : images) {
            Result r = run(List.of("docker", "image", "rm", "-f", image), null);
            if (r.exit != 0 && !r.output.contains("No such image")) {
                throw new AssertionError("could not remove test image " + image + ": " + r.output);
            }
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void dockerPushAndPullKeepTheManifestDigest() throws Exception {
        String local = buildImage();
        login();
        String remote = registry + "/web:1";
        docker("tag", local, remote);
        images.add(remote);
        String pushed = match(PUSHED, docker("push", remote));
        assertThat(registryDigest("web", "1")).isEqualTo(pushed);

        // Drop every local name of the image, so the pull has to fetch it from the registry.
        docker("image", "rm", remote, local);
        String pulled = match(PULLED, docker("pull", remote));
        assertThat(pulled).isEqualTo(pushed);
        assertThat(docker("image", "inspect", "--format", "{{json .RepoDigests}}", remote)).contains(registry + "/web@" + pushed);

        // A second push of the same image uploads nothing new and gives the same digest.
        assertThat(match(PUSHED, docker("push", remote))).isEqualTo(pushed);
    }

    @Test
    void skopeoCopiesInEveryDirectionKeepingTheDigest() throws Exception {
        TestRequire.component("skopeo", TestRequire.onPath("skopeo"), "no skopeo on PATH");
        String local = buildImage();
        String creds = "outpost:" + f.token;

        // docker-daemon → registry
        Path first = dir.resolve("first.digest");
        skopeo("copy", "--dest-creds", creds, "--dest-tls-verify=false", "--digestfile", first.toString(),
                "docker-daemon:" + local, "docker://" + registry + "/web:sk");
        String digest = Files.readString(first).trim();
        assertThat(registryDigest("web", "sk")).isEqualTo(digest);

        // registry → dir layout: the manifest arrives byte for byte
        Path layout = dir.resolve("layout");
        skopeo("copy", "--src-creds", creds, "--src-tls-verify=false", "docker://" + registry + "/web:sk", "dir:" + layout);
        assertThat(BlobStore.digestOf(Files.readAllBytes(layout.resolve("manifest.json")))).isEqualTo(digest);

        // registry → another repository of the same registry (blobs mounted across)
        Path copied = dir.resolve("copied.digest");
        skopeo("copy", "--src-creds", creds, "--src-tls-verify=false", "--dest-creds", creds, "--dest-tls-verify=false",
                "--digestfile", copied.toString(), "docker://" + registry + "/web:sk", "docker://" + registry + "/api:promoted");
        assertThat(Files.readString(copied).trim()).isEqualTo(digest);
        assertThat(registryDigest("api", "promoted")).isEqualTo(digest);

        // and back from the layout into the registry
        Path back = dir.resolve("back.digest");
        skopeo("copy", "--dest-creds", creds, "--dest-tls-verify=false", "--digestfile", back.toString(),
                "dir:" + layout, "docker://" + registry + "/api:from-dir");
        assertThat(Files.readString(back).trim()).isEqualTo(digest);
    }

    // ---- helpers ----

    /** Builds a small image on the busybox test base with a layer of its own; returns its name. */
    private String buildImage() throws Exception {
        Path context = Files.createDirectories(dir.resolve("context"));
        Files.writeString(context.resolve("hello.txt"), "hello " + UUID.randomUUID() + "\n");
        Files.writeString(context.resolve("Dockerfile"), "FROM outpost-test/busybox:1\nLABEL outpost-test=registry\n"
                + "COPY hello.txt /www/hello.txt\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        String name = "outpost-test-registry-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        images.add(name);
        docker("build", "-q", "-t", name, context.toString());
        return name;
    }

    private void login() throws Exception {
        Result r = run(List.of("docker", "login", registry, "-u", "outpost", "--password-stdin"), f.token);
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("Login Succeeded");
        assertThat(Files.readString(dockerConfig.resolve("config.json"))).contains(registry);
    }

    private String registryDigest(String repo, String tag) throws Exception {
        var r = f.call("HEAD", "/v2/" + repo + "/manifests/" + tag, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    private String docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Result r = run(cmd, null);
        assertThat(r.exit).as(String.join(" ", cmd) + ":\n" + r.output).isZero();
        return r.output;
    }

    private void skopeo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        Result r = run(cmd, null);
        assertThat(r.exit).as(String.join(" ", cmd) + ":\n" + r.output).isZero();
    }

    private static String match(Pattern p, String output) {
        Matcher m = p.matcher(output);
        assertThat(m.find()).as("no digest in:\n" + output).isTrue();
        return m.group(1);
    }

    record Result(int exit, String output) {}

    private Result run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = new HashMap<>();
        if (dockerConfig != null) {
            env.put("DOCKER_CONFIG", dockerConfig.toString());
            env.put("REGISTRY_AUTH_FILE", dockerConfig.resolve("skopeo-auth.json").toString());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 120 s:\n" + output);
        }
        return new Result(p.exitValue(), output);
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("scripts/docker-test-image"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("scripts/docker-test-image not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
