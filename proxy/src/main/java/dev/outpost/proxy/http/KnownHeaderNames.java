package dev.outpost.proxy.http;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header names instances send on almost every response, as shared constants: the decoder hands
 * out one of these instead of copying the name into a new string for every header of every
 * response. Only an exact match counts (a name is passed on as the instance spelled it), so each
 * name is here as it is usually written and in lower case.
 */
final class KnownHeaderNames {
    private static final String[] NAMES = {
            "Accept-Ranges", "Age", "Cache-Control", "Connection", "Content-Encoding", "Content-Length",
            "Content-Type", "Date", "ETag", "Expires", "Keep-Alive", "Last-Modified", "Location", "Server",
            "Set-Cookie", "Transfer-Encoding", "Upgrade", "Vary", "X-Content-Type-Options", "X-Frame-Options",
            "Strict-Transport-Security", "Content-Security-Policy", "Access-Control-Allow-Origin",
    };
    /** By length: the names of that length. */
    private static final AsciiString[][] BY_LENGTH;

    static {
        int longest = 0;
        for (String name : NAMES) {
            longest = Math.max(longest, name.length());
        }
        List<List<AsciiString>> byLength = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            byLength.add(new ArrayList<>());
        }
        for (String name : NAMES) {
            byLength.get(name.length()).add(AsciiString.cached(name));
            byLength.get(name.length()).add(AsciiString.cached(name.toLowerCase(Locale.ROOT)));
        }
        BY_LENGTH = new AsciiString[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            BY_LENGTH[i] = byLength.get(i).toArray(AsciiString[]::new);
        }
    }

    private KnownHeaderNames() {}

    /** The constant spelled exactly as {@code bytes[start, start + length)}, or null. */
    static AsciiString find(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        for (AsciiString name : BY_LENGTH[length]) {
            if (same(name, bytes, start, length)) {
                return name;
            }
        }
        return null;
    }

    private static boolean same(AsciiString name, byte[] bytes, int start, int length) {
        byte[] own = name.array();
        int offset = name.arrayOffset();
        for (int i = 0; i < length; i++) {
            if (own[offset + i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }
}
