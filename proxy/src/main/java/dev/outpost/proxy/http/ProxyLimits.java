package dev.outpost.proxy.http;

import java.time.Duration;

/**
 * What the edge tolerates from users and how long it holds requests (issue 4, safety and routing).
 * Build with {@link #builder()}; every setter checks its range.
 *
 * @param maxRequestLineLength longest request line (method, URI, version) in bytes; longer → {@code 414}
 * @param maxHeaderSize        total bytes of the header lines of one request; more → {@code 431}
 * @param maxHeaderCount       header lines of one request; more → {@code 431}
 * @param headTimeout          a request head must arrive whole within this long of its first byte, else the
 *                             connection is closed without an answer (slowloris)
 * @param clientIdleTimeout    a keep-alive connection with no request in progress is closed after this long; so is one
 *                             whose user stops sending a request body (408) or stops reading a response
 * @param maxConnectionsPerClient open connections from one client address; further ones are closed at once
 * @param queueLength          requests per app that may wait while every instance is at its hard limit
 * @param queueTimeout         how long such a request waits before it is answered {@code 503}
 * @param replayBodyLimit      largest request body kept so that an {@code Outpost-Replay} answer can be acted on
 * @param autostartTimeout     how long a request of an app whose instances are all stopped is held while one starts
 *                             ({@code [scale] autostart}); at most {@code queueLength} are held per app
 * @param responseTimeout      how long an instance of an app that sets no {@code response_timeout} has to begin its
 *                             response once the whole request reached it (60 s, as nginx's {@code proxy_read_timeout});
 *                             gRPC calls of such an app are not timed
 */
public record ProxyLimits(int maxRequestLineLength, int maxHeaderSize, int maxHeaderCount, Duration headTimeout,
                          Duration clientIdleTimeout, int maxConnectionsPerClient, int queueLength, Duration queueTimeout,
                          int replayBodyLimit, Duration autostartTimeout, Duration responseTimeout) {

    public ProxyLimits {
        positive("max request line length", maxRequestLineLength);
        positive("max header size", maxHeaderSize);
        positive("max header count", maxHeaderCount);
        positive("head timeout", headTimeout);
        positive("client idle timeout", clientIdleTimeout);
        positive("max connections per client", maxConnectionsPerClient);
        if (queueLength < 0) {
            throw new IllegalArgumentException("proxy queue length must be 0 or more (0: answer 503 at once), got " + queueLength);
        }
        positive("queue timeout", queueTimeout);
        if (replayBodyLimit < 0) {
            throw new IllegalArgumentException("proxy replay body limit must be 0 or more bytes, got " + replayBodyLimit);
        }
        positive("autostart timeout", autostartTimeout);
        positive("response timeout", responseTimeout);
    }

    /** 8 KiB request line, 16 KiB and 100 headers, 10 s head, 75 s idle, 256 connections per client, 100 waiters for 2 s, 1 MiB replay bodies, 10 s to autostart, 60 s for a response. */
    public static ProxyLimits defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy to change a few limits of. */
    public Builder toBuilder() {
        return new Builder().maxRequestLineLength(maxRequestLineLength).maxHeaderSize(maxHeaderSize)
                .maxHeaderCount(maxHeaderCount).headTimeout(headTimeout).clientIdleTimeout(clientIdleTimeout)
                .maxConnectionsPerClient(maxConnectionsPerClient).queueLength(queueLength).queueTimeout(queueTimeout)
                .replayBodyLimit(replayBodyLimit).autostartTimeout(autostartTimeout).responseTimeout(responseTimeout);
    }

    /** Builds {@link ProxyLimits}; starts from the defaults. */
    public static final class Builder {
        private int maxRequestLineLength = 8192;
        private int maxHeaderSize = 16384;
        private int maxHeaderCount = 100;
        private Duration headTimeout = Duration.ofSeconds(10);
        private Duration clientIdleTimeout = EdgeInitializer.CLIENT_IDLE_TIMEOUT;
        private int maxConnectionsPerClient = 256;
        private int queueLength = 100;
        private Duration queueTimeout = Duration.ofSeconds(2);
        private int replayBodyLimit = 1024 * 1024;
        private Duration autostartTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = dev.outpost.core.config.AppConfig.Service.DEFAULT_RESPONSE_TIMEOUT;

        private Builder() {}

        public Builder maxRequestLineLength(int bytes) {
            positive("max request line length", bytes);
            this.maxRequestLineLength = bytes;
            return this;
        }

        public Builder maxHeaderSize(int bytes) {
            positive("max header size", bytes);
            this.maxHeaderSize = bytes;
            return this;
        }

        public Builder maxHeaderCount(int count) {
            positive("max header count", count);
            this.maxHeaderCount = count;
            return this;
        }

        public Builder headTimeout(Duration timeout) {
            positive("head timeout", timeout);
            this.headTimeout = timeout;
            return this;
        }

        public Builder clientIdleTimeout(Duration timeout) {
            positive("client idle timeout", timeout);
            this.clientIdleTimeout = timeout;
            return this;
        }

        public Builder maxConnectionsPerClient(int count) {
            positive("max connections per client", count);
            this.maxConnectionsPerClient = count;
            return this;
        }

        public Builder queueLength(int count) {
            this.queueLength = count;
            return this;
        }

        public Builder queueTimeout(Duration timeout) {
            positive("queue timeout", timeout);
            this.queueTimeout = timeout;
            return this;
        }

        public Builder replayBodyLimit(int bytes) {
            this.replayBodyLimit = bytes;
            return this;
        }

        public Builder autostartTimeout(Duration timeout) {
            positive("autostart timeout", timeout);
            this.autostartTimeout = timeout;
            return this;
        }

        public Builder responseTimeout(Duration timeout) {
            positive("response timeout", timeout);
            this.responseTimeout = timeout;
            return this;
        }

        public ProxyLimits build() {
            return new ProxyLimits(maxRequestLineLength, maxHeaderSize, maxHeaderCount, headTimeout, clientIdleTimeout,
                    maxConnectionsPerClient, queueLength, queueTimeout, replayBodyLimit, autostartTimeout, responseTimeout);
        }
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("proxy " + what + " must be 1 or more, got " + value);
        }
    }

    private static void positive(String what, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("proxy " + what + " must be a positive duration such as \"10s\", got " + value);
        }
    }
}
