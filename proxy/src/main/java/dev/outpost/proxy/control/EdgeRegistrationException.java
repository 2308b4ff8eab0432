package dev.outpost.proxy.control;

/** Registering this edge, or listing its peers, failed; the message names the call and what came back. */
public class EdgeRegistrationException extends RuntimeException {
    public EdgeRegistrationException(String message) {
        super(message);
    }

    public EdgeRegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
