package dev.outpost.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.outpost.agent.driver.DriverException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * A connection to the host's Docker Engine over its API socket ({@code DOCKER_HOST}, else
 * {@code unix:///var/run/docker.sock}), with docker-java's httpclient5 transport. It holds a pool of
 * connections; close it when the agent stops.
 */
public final class DockerEngine implements AutoCloseable {
    /** Where the Engine listens when {@code DOCKER_HOST} is not set. */
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
    /**
     * Every running container holds one connection for its exit wait and one for its log stream, so
     * the pool must be far larger than docker-java's default.
     */
    private static final int MAX_CONNECTIONS = 1024;

    private final String host;
    private final DockerClient client;

    private DockerEngine(String host, DockerClient client) {
        this.host = host;
        this.client = client;
    }

    /** The Engine that {@code DOCKER_HOST} names, else the local socket. Does not contact it yet. */
    public static DockerEngine fromEnvironment() {
        String env = System.getenv("DOCKER_HOST");
        return at(env == null || env.isBlank() ? DEFAULT_HOST : env);
    }

    /** The Engine at {@code host}, e.g. {@code unix:///var/run/docker.sock} or {@code tcp://10.0.0.5:2375}. */
    public static DockerEngine at(String host) {
        URI uri;
        try {
            uri = URI.create(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Docker host \"" + host + "\" is not a URI: use e.g. " + DEFAULT_HOST, e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("unix") || uri.getScheme().equals("tcp"))) {
            throw new IllegalArgumentException("Docker host \"" + host + "\" must start with unix:// or tcp://, e.g. " + DEFAULT_HOST);
        }
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(MAX_CONNECTIONS)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return new DockerEngine(host, DockerClientImpl.getInstance(config, http));
    }

    /** Where this Engine listens, for messages. */
    public String host() {
        return host;
    }

    public DockerClient client() {
        return client;
    }

    /** Checks that the Engine answers; the message says where it was asked and why it did not answer. */
    public void ping() throws DriverException {
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new DriverException("no Docker Engine answers on " + host + ": " + e.getMessage(), e);
        }
    }

    /** How many CPUs the Engine's host has: limits above it would be refused. */
    public int cpus() throws DriverException {
        try {
            Integer n = client.infoCmd().exec().getNCPU();
            return n == null || n < 1 ? 1 : n;
        } catch (RuntimeException e) {
            throw new DriverException("cannot ask the Docker Engine on " + host + " for its CPU count: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
