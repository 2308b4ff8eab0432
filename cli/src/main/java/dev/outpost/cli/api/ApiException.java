package dev.outpost.cli.api;

/**
 * A call to the Outpost API that did not succeed. {@code status} is the HTTP status of the answer,
 * or {@link #UNREACHABLE} when no answer came; {@code detail} is the server's sentence (the
 * {@code detail} of its {@code application/problem+json} body) or what went wrong on the way.
 */
public final class ApiException extends Exception {
    /** The status of a call that got no HTTP answer (connection refused, timeout, broken stream). */
    public static final int UNREACHABLE = 0;

    private final int status;
    private final String detail;

    public ApiException(int status, String detail, String message) {
        super(message);
        this.status = status;
        this.detail = detail;
    }

    public ApiException(int status, String detail, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    /** True when trying again later may succeed: no answer, or the server said it failed (5xx). */
    public boolean transientFailure() {
        return status == UNREACHABLE || status >= 500;
    }
}
