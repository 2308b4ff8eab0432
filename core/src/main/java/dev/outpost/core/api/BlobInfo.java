package dev.outpost.core.api;

/** The answer to a blob upload: its digest and size. */
public record BlobInfo(String digest, long size) {}
