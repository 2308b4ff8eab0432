package dev.outpost.core;

import java.security.SecureRandom;

/** Random identifiers: short, lower-case, safe in URLs, host names and file names. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {}

    /** A new instance id, e.g. {@code 3f9k2x7q1m0a}. */
    public static String instance() {
        return random(12);
    }

    /** A random string of {@code n} characters from {@code [0-9a-z]}. */
    public static String random(int n) {
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /**
     * A request id: {@code n} characters from {@code [0-9a-z]}, unique in practice but not secret,
     * so it comes from a per-thread generator instead of the shared, locking {@link SecureRandom}
     * (the edge makes one per request).
     */
    public static String requestId(int n) {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** A secret token: 32 random bytes as hex behind a readable prefix. */
    public static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "op_" + java.util.HexFormat.of().formatHex(bytes);
    }
}
