package dev.outpost.agent;

/** The agent cannot start as configured (e.g. {@code --driver docker} and no Docker Engine answers); the message says what to do. */
public class AgentException extends RuntimeException {
    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
