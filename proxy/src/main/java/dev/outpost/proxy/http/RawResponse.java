package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A whole, plainly framed response of an instance, kept as its bytes: the proxy rewrites its head as
 * bytes ({@link #head}) instead of decoding it into a header map and encoding that again. Made by
 * {@link #parse}, which takes only what it can read strictly; everything else is Netty's decoder's.
 *
 * <p>What the rewrite does is what the decoded path does to such a response: the status line says
 * HTTP/1.1, the hop-by-hop headers ({@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code TE}, {@code Trailer}, {@code Upgrade}) and any {@code Outpost-Request-Id} of the instance's
 * are dropped, the request's id is added, and {@code Connection: close} when the user's connection
 * ends with this response. Every other header line goes on as the instance wrote it.
 */
public final class RawResponse extends DefaultByteBufHolder {
    /** Bodies up to this size go in the same buffer as the head: one write, one copy of a few bytes. */
    static final int INLINE_BODY = 2048;

    private static final byte[] HTTP_11 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What {@link #parse} found. */
    public record Parse(RawResponse response) {
        /** The head is not all here yet: wait for more bytes (nothing was consumed). */
        public static final Parse INCOMPLETE = new Parse(null);
        /** Not a response the raw path takes: leave the bytes to the decoder. */
        public static final Parse NOT_RAW = new Parse(null);
    }

    private final int status;
    private final boolean keepAlive;
    /** The end of the status line's reason (where its CRLF starts), from the start of the bytes. */
    private final int statusLineEnd;
    private final int headLength;
    private final int bodyLength;
    /** Start and end (after the CRLF) of each header line that goes on, in pairs. */
    private final int[] kept;
    private final int keptBytes;

    private RawResponse(ByteBuf bytes, int status, boolean keepAlive, int statusLineEnd, int headLength,
                        int bodyLength, int[] kept, int keptBytes) {
        super(bytes);
        this.status = status;
        this.keepAlive = keepAlive;
        this.statusLineEnd = statusLineEnd;
        this.headLength = headLength;
        this.bodyLength = bodyLength;
        this.kept = kept;
        this.keptBytes = keptBytes;
    }

    public int status() {
        return status;
    }

    /** Whether the instance keeps its connection open after this response. */
    public boolean keepAlive() {
        return keepAlive;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /**
     * The response for the user as one buffer (head, and the body when it is small), the caller's to
     * write and release. Use {@link #body} for the rest of the body when {@link #bodyInline} is false.
     */
    public ByteBuf head(ByteBufAllocator alloc, AsciiString requestIdName, String requestId, boolean userKeepAlive) {
        ByteBuf bytes = content();
        int base = bytes.readerIndex();
        int statusRest = statusLineEnd + 2 - HTTP_11.length;
        int size = HTTP_11.length + statusRest + keptBytes + requestIdName.length() + 2 + requestId.length() + 2
                + (userKeepAlive ? 0 : CLOSE.length) + 2 + (bodyInline() ? bodyLength : 0);
        ByteBuf out = alloc.buffer(size);
        out.writeBytes(HTTP_11);
        out.writeBytes(bytes, base + HTTP_11.length, statusRest);
        for (int i = 0; i < kept.length; i += 2) {
            out.writeBytes(bytes, base + kept[i], kept[i + 1] - kept[i]);
        }
        out.writeBytes(requestIdName.array(), requestIdName.arrayOffset(), requestIdName.length());
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(requestId, StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
        if (!userKeepAlive) {
            out.writeBytes(CLOSE);
        }
        out.writeByte('\r').writeByte('\n');
        if (bodyInline()) {
            out.writeBytes(bytes, base + headLength, bodyLength);
        }
        return out;
    }

    /** Whether {@link #head} carries the body too. */
    public boolean bodyInline() {
        return bodyLength <= INLINE_BODY;
    }

    /** The body as a retained slice, the caller's to write; only when it is not {@linkplain #bodyInline inline}. */
    public ByteBuf body() {
        ByteBuf bytes = content();
        return bytes.retainedSlice(bytes.readerIndex() + headLength, bodyLength);
    }

    /**
     * Reads a response from {@code in} at its reader index. On success the bytes of the response are
     * consumed and kept (a retained slice) by the result; otherwise nothing is consumed.
     *
     * @param maxHead the longest head looked at; a longer one is {@link Parse#NOT_RAW}
     */
    public static Parse parse(ByteBuf in, int maxHead) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int limit = Math.min(end, start + maxHead);
        Parse more = limit == end ? Parse.INCOMPLETE : Parse.NOT_RAW;
        if (end - start < 13) {
            return more;
        }
        for (int i = 0; i < 7; i++) {
            if (in.getByte(start + i) != HTTP_11[i]) {
                return Parse.NOT_RAW;
            }
        }
        byte minor = in.getByte(start + 7);
        if (minor != '1' && minor != '0' || in.getByte(start + 8) != ' ') {
            return Parse.NOT_RAW;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            byte d = in.getByte(start + i);
            if (d < '0' || d > '9') {
                return Parse.NOT_RAW;
            }
            status = status * 10 + (d - '0');
        }
        if (status < 200 || status > 599 || status == 204 || status == 304) {
            return Parse.NOT_RAW;
        }
        byte after = in.getByte(start + 12);
        if (after != ' ' && after != '\r') {
            return Parse.NOT_RAW;
        }
        int cr = lineEnd(in, start + 12, limit);
        if (cr < 0) {
            return cr == -1 ? more : Parse.NOT_RAW;
        }
        int statusLineEnd = cr;
        int pos = cr + 2;
        int[] kept = new int[16];
        int keptCount = 0;
        int keptBytes = 0;
        long contentLength = -1;
        boolean close = false;
        boolean keepAliveToken = false;
        while (true) {
            if (pos + 2 > limit) {
                return more;
            }
            byte first = in.getByte(pos);
            if (first == '\r') {
                if (in.getByte(pos + 1) != '\n') {
                    return Parse.NOT_RAW;
                }
                pos += 2;
                break;
            }
            int colon = pos;
            while (colon < limit && isTokenChar(in.getByte(colon))) {
                colon++;
            }
            if (colon == limit) {
                return more;
            }
            if (colon == pos || in.getByte(colon) != ':') {
                // Folded lines, spaces before the colon, empty names: the decoder's to judge.
                return Parse.NOT_RAW;
            }
            int lineCr = lineEnd(in, colon + 1, limit);
            if (lineCr < 0) {
                return lineCr == -1 ? more : Parse.NOT_RAW;
            }
            int valueStart = colon + 1;
            int valueEnd = lineCr;
            while (valueStart < valueEnd && isSpace(in.getByte(valueStart))) {
                valueStart++;
            }
            while (valueEnd > valueStart && isSpace(in.getByte(valueEnd - 1))) {
                valueEnd--;
            }
            int nameLength = colon - pos;
            boolean keep = true;
            if (is(in, pos, nameLength, "content-length")) {
                if (contentLength >= 0) {
                    return Parse.NOT_RAW;
                }
                contentLength = digits(in, valueStart, valueEnd);
                if (contentLength < 0) {
                    return Parse.NOT_RAW;
                }
            } else if (is(in, pos, nameLength, "transfer-encoding") || is(in, pos, nameLength, ReplayDirective.HEADER)) {
                return Parse.NOT_RAW;
            } else if (is(in, pos, nameLength, "connection")) {
                int tokens = connectionTokens(in, valueStart, valueEnd);
                if (tokens < 0) {
                    return Parse.NOT_RAW;
                }
                close |= (tokens & CLOSE_TOKEN) != 0;
                keepAliveToken |= (tokens & KEEP_ALIVE_TOKEN) != 0;
                keep = false;
            } else if (is(in, pos, nameLength, "keep-alive") || is(in, pos, nameLength, "proxy-connection")
                    || is(in, pos, nameLength, "te") || is(in, pos, nameLength, "trailer")
                    || is(in, pos, nameLength, "upgrade") || is(in, pos, nameLength, ErrorResponse.REQUEST_ID)) {
                keep = false;
            }
            if (keep) {
                if (keptCount + 2 > kept.length) {
                    if (kept.length >= 256) {
                        return Parse.NOT_RAW;
                    }
                    kept = Arrays.copyOf(kept, kept.length * 2);
                }
                kept[keptCount++] = pos - start;
                kept[keptCount++] = lineCr + 2 - start;
                keptBytes += lineCr + 2 - pos;
            }
            pos = lineCr + 2;
        }
        if (contentLength < 0 || contentLength > end - pos) {
            // Delimited by closing, or not all here: the decoder streams it.
            return Parse.NOT_RAW;
        }
        int headLength = pos - start;
        boolean keepAlive = minor == '1' ? !close : keepAliveToken && !close;
        ByteBuf bytes = in.retainedSlice(start, headLength + (int) contentLength);
        in.skipBytes(headLength + (int) contentLength);
        return new Parse(new RawResponse(bytes, status, keepAlive, statusLineEnd - start, headLength,
                (int) contentLength, keptCount == kept.length ? kept : Arrays.copyOf(kept, keptCount), keptBytes));
    }

    private static final int CLOSE_TOKEN = 1;
    private static final int KEEP_ALIVE_TOKEN = 2;

    /**
     * The index of the CR that ends the line from {@code from}; -1 when the limit comes first, -2
     * for a byte a header line must not hold (a bare CR or LF, other control bytes, DEL).
     */
    private static int lineEnd(ByteBuf in, int from, int limit) {
        for (int i = from; i < limit; i++) {
            byte b = in.getByte(i);
            if (b == '\r') {
                if (i + 1 >= limit) {
                    return -1;
                }
                return in.getByte(i + 1) == '\n' ? i : -2;
            }
            if (b < 0x20 && b != '\t' || b == 0x7f) {
                return -2;
            }
        }
        return -1;
    }

    /** Content-Length's value, or -1 when it is not one run of at most 18 digits. */
    private static long digits(ByteBuf in, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            byte d = in.getByte(i);
            if (d < '0' || d > '9') {
                return -1;
            }
            value = value * 10 + (d - '0');
        }
        return value;
    }

    /** The Connection tokens found (bits), or -1 when one is neither close nor keep-alive. */
    private static int connectionTokens(ByteBuf in, int from, int to) {
        int found = 0;
        int i = from;
        while (i <= to) {
            int comma = i;
            while (comma < to && in.getByte(comma) != ',') {
                comma++;
            }
            int s = i;
            int e = comma;
            while (s < e && isSpace(in.getByte(s))) {
                s++;
            }
            while (e > s && isSpace(in.getByte(e - 1))) {
                e--;
            }
            if (is(in, s, e - s, "close")) {
                found |= CLOSE_TOKEN;
            } else if (is(in, s, e - s, "keep-alive")) {
                found |= KEEP_ALIVE_TOKEN;
            } else if (e > s) {
                // A token naming another header to drop: the decoded path handles that.
                return -1;
            }
            i = comma + 1;
        }
        return found;
    }

    /** Whether {@code in[from, from + length)} is {@code name}, ignoring ASCII case. */
    private static boolean is(ByteBuf in, int from, int length, String name) {
        if (length != name.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int b = in.getByte(from + i);
            int c = name.charAt(i);
            if (b != c && (b | 0x20) != (c | 0x20)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(byte b) {
        if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}
