package dev.outpost.store;

/**
 * A store operation failed. The message names the operation and its subject ("createApp hello: …");
 * {@link Conflict} and {@link NotFound} are the two failures a caller answers differently (409, 404).
 */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The row to create exists already (an app name, an instance or token id, a token hash). */
    public static final class Conflict extends StoreException {
        public Conflict(String message) {
            super(message);
        }

        public Conflict(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The row to change does not exist. */
    public static final class NotFound extends StoreException {
        public NotFound(String message) {
            super(message);
        }
    }
}
