package dev.outpost.cli;

/**
 * An expected failure of a command, with the sentence to show and the exit code to end with
 * ({@link #FAILURE} unless said otherwise). Never printed with a stack trace.
 */
public final class CliException extends Exception {
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    public CliException(String message) {
        this(message, FAILURE);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = FAILURE;
    }

    public int exitCode() {
        return exitCode;
    }
}
