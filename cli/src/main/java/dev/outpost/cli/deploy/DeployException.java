package dev.outpost.cli.deploy;

/** A deploy the CLI stopped following: it ran past its wait timeout, or was interrupted. */
public final class DeployException extends Exception {
    public DeployException(String message) {
        super(message);
    }
}
