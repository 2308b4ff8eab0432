package dev.outpost.server.registry;

/**
 * A registry request that cannot be served, with the HTTP status and the OCI error code
 * ({@code BLOB_UNKNOWN}, {@code DIGEST_INVALID}, {@code MANIFEST_BLOB_UNKNOWN}, …) a client acts on.
 * {@link RegistryApi} renders it as the OCI error body; {@link Registry}'s callers get it as is.
 */
public final class RegistryException extends RuntimeException {
    private final int status;
    private final String code;

    public RegistryException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The OCI error code, e.g. {@code MANIFEST_UNKNOWN}. */
    public String code() {
        return code;
    }

    static RegistryException blobUnknown(String repository, String digest) {
        return new RegistryException(404, "BLOB_UNKNOWN", "blob " + digest + " is not in repository " + repository);
    }

    static RegistryException manifestUnknown(String repository, String reference) {
        return new RegistryException(404, "MANIFEST_UNKNOWN", "manifest " + reference + " is not in repository " + repository);
    }

    static RegistryException uploadUnknown(String repository, String id) {
        return new RegistryException(404, "BLOB_UPLOAD_UNKNOWN", "upload " + id + " to repository " + repository
                + " is unknown: it finished, was cancelled or expired; start a new one with POST /v2/" + repository + "/blobs/uploads/");
    }

    static RegistryException digestInvalid(String message) {
        return new RegistryException(400, "DIGEST_INVALID", message);
    }

    static RegistryException manifestInvalid(String message) {
        return new RegistryException(400, "MANIFEST_INVALID", message);
    }
}
