package dev.outpost.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import dev.outpost.agent.control.RegistryLogin;
import dev.outpost.agent.driver.DriverException;
import dev.outpost.agent.driver.InstanceSpec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images from the Outpost registry, by digest: {@code <registry>/<app>@sha256:…}, pulled with
 * basic auth (the API token as password) unless the Engine already has that exact image. A digest
 * names the bytes, so an image present under it never needs pulling again.
 */
public final class RegistryImages implements ImageSource {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryImages.class);
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final DockerClient docker;
    private final RegistryLogin login;
    private final Duration pullTimeout;

    public RegistryImages(DockerClient docker, RegistryLogin login, Duration pullTimeout) {
        this.docker = docker;
        this.login = login;
        this.pullTimeout = pullTimeout;
    }

    @Override
    public String reference(InstanceSpec spec) throws DriverException {
        String digest = spec.artifactDigest();
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new DriverException("instance " + spec.instanceId() + " of " + spec.app() + " v" + spec.release()
                    + " names the image \"" + digest + "\", which is not a digest (expected sha256: and 64 lower-case hex digits)");
        }
        return login.host() + "/" + spec.app() + "@" + digest;
    }

    @Override
    public String localImage(InstanceSpec spec) throws DriverException {
        String ref = reference(spec);
        String repository = login.host() + "/" + spec.app();
        String digest = spec.artifactDigest();
        if (present(ref)) {
            return ref;
        }
        AuthConfig auth = new AuthConfig().withRegistryAddress(login.host()).withUsername(login.username())
                .withPassword(login.password());
        long began = System.nanoTime();
        try {
            // fromImage=<repository>&tag=<digest> is how the Engine's API takes a pull by digest.
            boolean done = docker.pullImageCmd(repository).withTag(digest).withAuthConfig(auth)
                    .exec(new PullImageResultCallback()).awaitCompletion(pullTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new DriverException("pull of " + ref + " did not finish within " + pullTimeout);
            }
        } catch (DockerException | DockerClientException e) {
            // The Engine relays every registry failure as its own 500; its text carries the registry's answer.
            String why = message(e);
            if (why.startsWith("unauthorized")) {
                why += " (401: the registry at " + login.host() + " refused the agent's API token)";
            }
            throw new DriverException("pull of " + ref + " failed: " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException("pull of " + ref + " was interrupted (the agent is stopping)", e);
        }
        if (!present(ref)) {
            throw new DriverException("pull of " + ref + " finished but the Engine has no image under that name");
        }
        LOG.info("pulled {} in {} ms", ref, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        return ref;
    }

    private boolean present(String ref) throws DriverException {
        try {
            docker.inspectImageCmd(ref).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            throw new DriverException("cannot ask the Docker Engine whether it has " + ref + ": " + e.getMessage(), e);
        }
    }

    /** The Engine's error without docker-java's "Status 500: " prefix and JSON wrapping. */
    private static String message(RuntimeException e) {
        String m = String.valueOf(e.getMessage()).strip();
        int brace = m.indexOf("{\"message\":\"");
        if (brace >= 0) {
            int end = m.lastIndexOf("\"}");
            m = end > brace ? m.substring(brace + 12, end) : m.substring(brace + 12);
        }
        return m;
    }
}
