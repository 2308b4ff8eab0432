package dev.outpost.agent.blob;

/** A blob could not be fetched, or what arrived is not what its digest says; the message is fit for a report. */
public class BlobException extends Exception {
    public BlobException(String message) {
        super(message);
    }

    public BlobException(String message, Throwable cause) {
        super(message, cause);
    }
}
