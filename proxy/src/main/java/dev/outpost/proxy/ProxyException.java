package dev.outpost.proxy;

/** The edge proxy could not do what it was asked (bind its listener, start, ...); the message says where. */
public class ProxyException extends RuntimeException {
    public ProxyException(String message) {
        super(message);
    }

    public ProxyException(String message, Throwable cause) {
        super(message, cause);
    }
}
