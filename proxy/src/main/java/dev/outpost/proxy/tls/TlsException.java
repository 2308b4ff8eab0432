package dev.outpost.proxy.tls;

import dev.outpost.proxy.ProxyException;

/** A certificate that cannot be loaded or made, with the host it was for. */
public final class TlsException extends ProxyException {
    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
