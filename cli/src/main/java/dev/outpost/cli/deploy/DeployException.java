package dev.outpost.cli.deploy;

/** A deploy that could not start (no such app) or that the CLI stopped following (past its wait timeout, interrupted). */
public final class DeployException extends Exception {
    public DeployException(String message) {
        super(message);
    }
}
