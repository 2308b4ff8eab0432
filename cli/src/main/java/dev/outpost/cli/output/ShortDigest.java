package dev.outpost.cli.output;

/** A digest as people read it: {@code sha256:} and the first 12 hex digits, as Docker shows image ids. */
public final class ShortDigest {
    private ShortDigest() {}

    public static String of(String digest) {
        if (digest == null) {
            return null;
        }
        String hex = digest.startsWith("sha256:") ? digest.substring("sha256:".length()) : digest;
        return "sha256:" + hex.substring(0, Math.min(12, hex.length()));
    }
}
