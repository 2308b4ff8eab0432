package dev.outpost.cli.deploy;

import dev.outpost.core.Ids;
import dev.outpost.core.config.AppConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Gets an app's image into the Outpost registry: builds {@code [build] dockerfile} (or takes the
 * local image {@code [build] image} / {@code --image}), tags it {@code <registry>/<app>:deployment-…},
 * and pushes it with {@code docker push}, which answers the manifest digest the release is made of.
 * The registry is the API's own {@code host:port}: the server serves {@code /v2/} beside {@code /v1/}.
 */
public final class ImagePublisher {
    private static final DateTimeFormatter TAG_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Docker docker;
    private final Path userDockerConfig;
    private final PrintWriter out;

    /** Runs {@code docker}; {@code userDockerConfig} is the user's Docker directory (its context is kept); output goes to {@code out}. */
    public ImagePublisher(Docker docker, Path userDockerConfig, PrintWriter out) {
        this.docker = docker;
        this.userDockerConfig = userDockerConfig;
        this.out = out;
    }

    /** The {@code docker} on PATH and the user's Docker settings of this process. */
    public static ImagePublisher system(PrintWriter out) {
        return new ImagePublisher(Docker.onPath(), DockerLogin.userConfig(System.getenv(), Path.of(System.getProperty("user.home"))), out);
    }

    /**
     * Builds or tags, then pushes the image of {@code app} described by {@code build} (whose
     * {@link AppConfig.Build#producesImage()} is true) to {@code registry} with {@code token}.
     * {@code dir} is the build context and where a relative {@code dockerfile} is found.
     */
    public PublishedImage publish(AppConfig.Build build, Path dir, String app, String registry, String token) throws DeployException {
        if (!build.producesImage()) {
            throw new IllegalArgumentException("[build] of " + app + " makes a source bundle, not an image");
        }
        docker.requireDaemon();
        String reference = registry + "/" + app + ":" + tag(Instant.now());
        if (build.dockerfile() != null) {
            Path dockerfile = dir.resolve(build.dockerfile()).normalize();
            if (!Files.isRegularFile(dockerfile)) {
                throw new DeployException("[build] dockerfile = \"" + build.dockerfile() + "\" names no file (looked for " + dockerfile
                        + "): fix the path in outpost.toml, relative to the app directory");
            }
            say("building %s from %s", reference, dockerfile);
            docker.build(dockerfile, dir, reference, line -> {
                out.println("  " + line);
                out.flush();
            });
        } else {
            if (!docker.imageExists(build.image())) {
                throw new DockerException("there is no local image " + build.image() + " ([build] image or --image): build or pull it first;"
                        + " `docker images` lists the ones you have", List.of());
            }
            docker.tag(build.image(), reference);
            say("tagged %s as %s", build.image(), reference);
        }
        say("pushing %s", reference);
        PushProgress progress = new PushProgress(out);
        String digest;
        try (DockerLogin login = DockerLogin.create(registry, token, userDockerConfig)) {
            digest = docker.push(reference, login.dir(), progress);
        }
        return new PublishedImage(reference, digest, progress.uploaded());
    }

    /** The registry's address as docker names it: the API's {@code host:port} ({@code 127.0.0.1:7280}). */
    public static String registryOf(URI api) {
        if (api.getHost() == null) {
            throw new IllegalArgumentException("the API address " + api + " names no host");
        }
        String host = api.getHost().contains(":") && !api.getHost().startsWith("[") ? "[" + api.getHost() + "]" : api.getHost();
        return api.getPort() < 0 ? host : host + ":" + api.getPort();
    }

    /** A tag no earlier deploy used: {@code deployment-20250102-030405-k3f9} (UTC time, then 4 random characters). */
    public static String tag(Instant now) {
        return "deployment-" + TAG_TIME.format(now) + "-" + Ids.random(4);
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
