package dev.outpost.proxy.http;

import java.io.IOException;

/**
 * An instance of an app with {@code h2_backend} accepted the connection but did not speak HTTP/2
 * with prior knowledge (no SETTINGS came back). Handled as a failed connect: the instance is
 * ejected for a while and the request tries another.
 */
public final class H2UpstreamException extends IOException {
    public H2UpstreamException(String message) {
        super(message);
    }
}
