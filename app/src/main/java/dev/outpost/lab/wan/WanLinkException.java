package dev.outpost.lab.wan;

/** A WAN link could not be set up, e.g. its listener could not bind. */
public final class WanLinkException extends RuntimeException {
    public WanLinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
