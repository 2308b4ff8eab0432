package dev.outpost.server.certs;

/** An imported certificate or key that cannot be used; the message says what is wrong and how to fix it. */
public final class CertificateException extends RuntimeException {
    public CertificateException(String message) {
        super(message);
    }

    public CertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}
