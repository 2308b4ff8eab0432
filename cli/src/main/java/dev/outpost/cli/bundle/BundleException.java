package dev.outpost.cli.bundle;

/** The app directory could not be packed: the message names the file and what went wrong. */
public final class BundleException extends Exception {
    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
