package dev.outpost.proxy.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A body of {@code length} bytes that is a function of position and seed: streamed, never held whole. */
public final class PatternedBody extends InputStream {
    private final long length;
    private final int seed;
    private long position;

    public PatternedBody(long length, int seed) {
        this.length = length;
        this.seed = seed;
    }

    static byte at(long i, int seed) {
        return (byte) ((i * 31 + seed) ^ (i >>> 9));
    }

    @Override
    public int read() {
        return position < length ? at(position++, seed) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = at(position++, seed);
        }
        return n;
    }

    /** Writes the whole body to {@code out} in 16 KiB writes. */
    public void writeTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[16384];
        int n;
        while ((n = read(buffer, 0, buffer.length)) > 0) {
            out.write(buffer, 0, n);
        }
    }

    /** The SHA-256 of the body, hex. */
    public static String sha256(long length, int seed) throws IOException {
        return sha256(new PatternedBody(length, seed));
    }

    /** Reads {@code in} to its end and returns its SHA-256, hex. */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        byte[] buffer = new byte[16384];
        int n;
        while ((n = in.read(buffer)) > 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
