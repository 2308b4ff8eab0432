package dev.outpost.cli.deploy;

/**
 * A deploy that could not start (no such app, no image to push) or that the CLI stopped following
 * (past its wait timeout, interrupted). Its message is the sentence the user sees.
 */
public class DeployException extends Exception {
    public DeployException(String message) {
        super(message);
    }

    public DeployException(String message, Throwable cause) {
        super(message, cause);
    }
}
