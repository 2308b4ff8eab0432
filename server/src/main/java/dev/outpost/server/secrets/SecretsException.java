package dev.outpost.server.secrets;

/**
 * The secrets key cannot be used (missing rights, wrong mode, malformed), or a sealed value does not
 * open under it (another key, tampered). The message names the file or the secret, never a value.
 */
public final class SecretsException extends RuntimeException {
    public SecretsException(String message) {
        super(message);
    }

    public SecretsException(String message, Throwable cause) {
        super(message, cause);
    }
}
