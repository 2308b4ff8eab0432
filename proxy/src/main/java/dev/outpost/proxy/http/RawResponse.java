package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

/**
 * The start of a plainly framed response of an instance, already rewritten for the user as bytes:
 * the proxy passes it on instead of decoding the head into a header map and encoding that again.
 * Made by {@link #parse}, which takes only what it can read strictly; everything else is Netty's
 * decoder's. The rest of its body, if it did not all come with the head, follows as {@link RawBody}
 * pieces.
 *
 * <p>The rewrite is what the decoded path does to such a response: the status line says HTTP/1.1,
 * the hop-by-hop headers ({@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code TE}, {@code Trailer}, {@code Upgrade}) and any {@code Outpost-Request-Id} of the instance's
 * are dropped, the request's id is added, and {@code Connection: close} when the user's connection
 * ends with this response. Every other header line goes on as the instance wrote it.
 */
public final class RawResponse extends DefaultByteBufHolder {
    /** Up to this much of the body is copied in after the head (one buffer, one write); the rest is passed on as slices. */
    static final int INLINE_BODY = 8192;

    private static final AsciiString ID_NAME = AsciiString.cached(ErrorResponse.REQUEST_ID);
    private static final byte[] HTTP_11 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = lower("Content-Length");
    private static final byte[] TRANSFER_ENCODING = lower("Transfer-Encoding");
    private static final byte[] REPLAY = lower(ReplayDirective.HEADER);
    private static final byte[] CONNECTION = lower("Connection");
    /** Dropped from the response: the hop-by-hop headers the decoded path strips ({@link HopByHopHeaders}; Connection is read first) and the instance's own request id. */
    private static final byte[][] DROPPED = Stream.concat(HopByHopHeaders.FIXED.stream(), Stream.of(ErrorResponse.REQUEST_ID))
            .map(name -> lower(name.toString())).toArray(byte[][]::new);
    private static final byte[] CLOSE_TOKEN = lower("close");
    private static final byte[] KEEP_ALIVE_TOKEN = lower("keep-alive");

    /** The parse's working space, one per thread (an event loop's connections take turns). */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    /** What {@link #parse} found. */
    public record Parse(RawResponse response) {
        /** The head is not all here yet: wait for more bytes (nothing was consumed). */
        public static final Parse INCOMPLETE = new Parse(null);
        /** Not a response the raw path takes: leave the bytes to the decoder (nothing was consumed). */
        public static final Parse NOT_RAW = new Parse(null);
    }

    /** Where a parsed response goes: the request's id and whether the user's connection stays open after it. */
    public record Target(String requestId, boolean userKeepAlive) {}

    private final int status;
    private final boolean keepAlive;
    private final int bodyBytes;
    private final long bodyToCome;

    private RawResponse(ByteBuf bytes, int status, boolean keepAlive, int bodyBytes, long bodyToCome) {
        super(bytes);
        this.status = status;
        this.keepAlive = keepAlive;
        this.bodyBytes = bodyBytes;
        this.bodyToCome = bodyToCome;
    }

    public int status() {
        return status;
    }

    /** Whether the instance keeps its connection open after this response. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The body bytes in {@link #content()}, after the head. */
    public int bodyBytes() {
        return bodyBytes;
    }

    /** The body bytes that follow as {@link RawBody} pieces; 0 when this is the whole response. */
    public long bodyToCome() {
        return bodyToCome;
    }

    /**
     * Reads a response from {@code in} at its reader index. On success the head and the part of the
     * body that is copied in are consumed, and {@link RawResponse#bodyToCome()} bytes remain for the
     * caller to pass on; otherwise nothing is consumed.
     *
     * @param maxHead the longest head looked at; a longer one is {@link Parse#NOT_RAW}
     */
    public static Parse parse(ByteBuf in, int maxHead, ByteBufAllocator alloc, Target target) {
        Scratch scratch = SCRATCH.get();
        int readable = in.readableBytes();
        // Most heads fit the first look; a longer one gets a second, up to maxHead.
        int window = Math.min(readable, Math.min(maxHead, Scratch.FIRST_LOOK));
        Parse parse = parse(in, scratch, window, readable, maxHead, alloc, target);
        if (parse == Scratch.LOOK_FURTHER) {
            parse = parse(in, scratch, Math.min(readable, maxHead), readable, maxHead, alloc, target);
        }
        return parse == Scratch.LOOK_FURTHER ? Parse.NOT_RAW : parse;
    }

    private static Parse parse(ByteBuf in, Scratch scratch, int n, int readable, int maxHead, ByteBufAllocator alloc,
                               Target target) {
        byte[] b = scratch.bytes(n);
        in.getBytes(in.readerIndex(), b, 0, n);
        // Where the bytes looked at run out before the head does.
        Parse more = n < readable && n < maxHead ? Scratch.LOOK_FURTHER
                : n == readable && n < maxHead ? Parse.INCOMPLETE : Parse.NOT_RAW;
        if (n < 13) {
            // Too short to judge, unless what is here already is no "HTTP/1.x " status line, or a line ends
            // in it: Netty's decoder then answers for it (a malformed head must not wait for bytes that never come).
            for (int i = 0; i < n; i++) {
                if (i < 7 && b[i] != HTTP_11[i] || b[i] == '\r' || b[i] == '\n') {
                    return Parse.NOT_RAW;
                }
            }
            return more;
        }
        for (int i = 0; i < 7; i++) {
            if (b[i] != HTTP_11[i]) {
                return Parse.NOT_RAW;
            }
        }
        byte minor = b[7];
        if (minor != '1' && minor != '0' || b[8] != ' ') {
            return Parse.NOT_RAW;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return Parse.NOT_RAW;
            }
            status = status * 10 + (b[i] - '0');
        }
        if (status < 200 || status > 599 || status == 204 || status == 304 || b[12] != ' ' && b[12] != '\r') {
            return Parse.NOT_RAW;
        }
        int cr = lineEnd(b, 12, n);
        if (cr < 0) {
            return cr == -1 ? more : Parse.NOT_RAW;
        }
        int statusLineEnd = cr + 2;
        int pos = statusLineEnd;
        int[] kept = scratch.kept;
        int keptCount = 0;
        int keptBytes = 0;
        long contentLength = -1;
        boolean close = false;
        boolean keepAliveToken = false;
        while (true) {
            if (pos + 2 > n) {
                return more;
            }
            if (b[pos] == '\r') {
                if (b[pos + 1] != '\n') {
                    return Parse.NOT_RAW;
                }
                pos += 2;
                break;
            }
            int colon = pos;
            while (colon < n && isTokenChar(b[colon])) {
                colon++;
            }
            if (colon == n) {
                return more;
            }
            if (colon == pos || b[colon] != ':') {
                // Folded lines, space before the colon, empty names: the decoder's to judge.
                return Parse.NOT_RAW;
            }
            int lineCr = lineEnd(b, colon + 1, n);
            if (lineCr < 0) {
                return lineCr == -1 ? more : Parse.NOT_RAW;
            }
            int valueStart = colon + 1;
            int valueEnd = lineCr;
            while (valueStart < valueEnd && isSpace(b[valueStart])) {
                valueStart++;
            }
            while (valueEnd > valueStart && isSpace(b[valueEnd - 1])) {
                valueEnd--;
            }
            int nameLength = colon - pos;
            boolean keep = true;
            if (named(b, pos, nameLength, CONTENT_LENGTH)) {
                if (contentLength >= 0) {
                    return Parse.NOT_RAW;
                }
                contentLength = digits(b, valueStart, valueEnd);
                if (contentLength < 0) {
                    return Parse.NOT_RAW;
                }
            } else if (named(b, pos, nameLength, TRANSFER_ENCODING) || named(b, pos, nameLength, REPLAY)) {
                return Parse.NOT_RAW;
            } else if (named(b, pos, nameLength, CONNECTION)) {
                int tokens = connectionTokens(b, valueStart, valueEnd);
                if (tokens < 0) {
                    return Parse.NOT_RAW;
                }
                close |= (tokens & CLOSE_BIT) != 0;
                keepAliveToken |= (tokens & KEEP_ALIVE_BIT) != 0;
                keep = false;
            } else {
                for (byte[] dropped : DROPPED) {
                    if (named(b, pos, nameLength, dropped)) {
                        keep = false;
                        break;
                    }
                }
            }
            if (keep) {
                if (keptCount + 2 > kept.length) {
                    return Parse.NOT_RAW;
                }
                kept[keptCount++] = pos;
                kept[keptCount++] = lineCr + 2;
                keptBytes += lineCr + 2 - pos;
            }
            pos = lineCr + 2;
        }
        if (contentLength < 0) {
            // Delimited by closing: the decoder re-frames it.
            return Parse.NOT_RAW;
        }
        int headLength = pos;
        int inline = (int) Math.min(Math.min(contentLength, readable - headLength), INLINE_BODY);
        String id = target.requestId();
        ByteBuf out = alloc.buffer(statusLineEnd + keptBytes + ID_NAME.length() + 4 + id.length()
                + (target.userKeepAlive() ? 0 : CLOSE.length) + 2 + inline);
        out.writeBytes(HTTP_11).writeBytes(b, HTTP_11.length, statusLineEnd - HTTP_11.length);
        for (int i = 0; i < keptCount; i += 2) {
            out.writeBytes(b, kept[i], kept[i + 1] - kept[i]);
        }
        out.writeBytes(ID_NAME.array(), ID_NAME.arrayOffset(), ID_NAME.length()).writeByte(':').writeByte(' ');
        out.writeCharSequence(id, StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
        if (!target.userKeepAlive()) {
            out.writeBytes(CLOSE);
        }
        out.writeByte('\r').writeByte('\n');
        in.skipBytes(headLength);
        out.writeBytes(in, inline);
        boolean keepAlive = minor == '1' ? !close : keepAliveToken && !close;
        return new Parse(new RawResponse(out, status, keepAlive, inline, contentLength - inline));
    }

    private static final int CLOSE_BIT = 1;
    private static final int KEEP_ALIVE_BIT = 2;

    /**
     * The index of the CR that ends the line from {@code from}; -1 when the bytes end first, -2 for
     * a byte a header line must not hold (a bare CR or LF, other control bytes, DEL).
     */
    private static int lineEnd(byte[] b, int from, int n) {
        for (int i = from; i < n; i++) {
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 >= n) {
                    return -1;
                }
                return b[i + 1] == '\n' ? i : -2;
            }
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return -2;
            }
        }
        return -1;
    }

    /** Content-Length's value, or -1 when it is not one run of at most 18 digits. */
    private static long digits(byte[] b, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    /** The Connection tokens found (bits), or -1 when one is neither close nor keep-alive. */
    private static int connectionTokens(byte[] b, int from, int to) {
        int found = 0;
        int i = from;
        while (i <= to) {
            int comma = i;
            while (comma < to && b[comma] != ',') {
                comma++;
            }
            int s = i;
            int e = comma;
            while (s < e && isSpace(b[s])) {
                s++;
            }
            while (e > s && isSpace(b[e - 1])) {
                e--;
            }
            if (e - s == CLOSE_TOKEN.length && is(b, s, CLOSE_TOKEN)) {
                found |= CLOSE_BIT;
            } else if (e - s == KEEP_ALIVE_TOKEN.length && is(b, s, KEEP_ALIVE_TOKEN)) {
                found |= KEEP_ALIVE_BIT;
            } else if (e > s) {
                // A token naming another header to drop: the decoded path handles that.
                return -1;
            }
            i = comma + 1;
        }
        return found;
    }

    private static boolean named(byte[] b, int from, int length, byte[] lower) {
        return length == lower.length && is(b, from, lower);
    }

    /** Whether {@code b[from, from + lower.length)} is {@code lower} in any ASCII case ({@code lower} is letters, digits and '-'). */
    private static boolean is(byte[] b, int from, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            if ((b[from + i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] lower(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(byte c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    private static final class Scratch {
        static final int FIRST_LOOK = 1024;
        /** Internal to {@link #parse}: the head goes on past the first look. */
        static final Parse LOOK_FURTHER = new Parse(null);

        private byte[] bytes = new byte[FIRST_LOOK];
        /** Start and end of each header line that goes on, in pairs. */
        final int[] kept = new int[512];

        byte[] bytes(int n) {
            if (bytes.length < n) {
                bytes = new byte[n];
            }
            return bytes;
        }
    }
}
