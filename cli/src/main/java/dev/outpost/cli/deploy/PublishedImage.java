package dev.outpost.cli.deploy;

/**
 * An image in the Outpost registry: the tag it was pushed as ({@code 127.0.0.1:7280/hello:deployment-…}),
 * the digest of its manifest (what a release runs), and whether any layer had to be uploaded.
 */
public record PublishedImage(String reference, String digest, boolean uploaded) {}
