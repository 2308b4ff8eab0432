package dev.outpost.core;

/**
 * A string as a double-quoted literal that JSON (RFC 8259 §7) and TOML basic strings both read back as it
 * was. The quote and the backslash get a backslash before them; newline, tab and carriage return are written
 * {@code \n}, {@code \t} and {@code \r}; the other control characters and DEL as a backslash, the letter u and
 * four upper-case hex digits (the form both formats define); everything else as it is. For hand-written JSON
 * and TOML where a serializer would cost too much (the edge's access log) or is not at hand (launch's
 * {@code outpost.toml}).
 */
public final class Quoted {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Quoted() {}

    /** Appends {@code s}, quoted, to {@code b}; returns {@code b}. */
    public static StringBuilder append(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /** {@code s} quoted. */
    public static String of(String s) {
        return append(new StringBuilder(s.length() + 2), s).toString();
    }
}
