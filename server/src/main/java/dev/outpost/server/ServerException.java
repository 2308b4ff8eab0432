package dev.outpost.server;

/** The server could not start or run: the message says what and where. */
public final class ServerException extends RuntimeException {
    public ServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
