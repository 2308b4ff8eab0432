package dev.outpost.cli.context;

/** No usable context: nothing configured, or a {@code context.json} that cannot be read or written. */
public final class ContextException extends Exception {
    public ContextException(String message) {
        super(message);
    }

    public ContextException(String message, Throwable cause) {
        super(message, cause);
    }
}
