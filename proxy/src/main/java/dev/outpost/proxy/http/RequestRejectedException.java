package dev.outpost.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the edge refuses before anything of it goes upstream: a request-smuggling shape, a
 * folded header, too many headers. Carried as the decoder result of a failed request head; the
 * proxy answers with {@link #status()} and the message, then closes the connection.
 */
public final class RequestRejectedException extends RuntimeException {
    private final HttpResponseStatus status;

    public RequestRejectedException(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public HttpResponseStatus status() {
        return status;
    }
}
