package dev.outpost.core.api;

/** An RFC 9457 {@code application/problem+json} body: {@code detail} is a sentence a person can act on. */
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";
}
