package dev.outpost.agent.control;

/** A call to the server failed: unreachable, refused, or answered with an error. The message names the call. */
public class ControlPlaneException extends Exception {
    private final int status;

    public ControlPlaneException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the server answered with, or 0 when no answer arrived. */
    public int status() {
        return status;
    }
}
