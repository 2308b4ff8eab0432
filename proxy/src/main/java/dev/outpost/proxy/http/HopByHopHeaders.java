package dev.outpost.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1): they must not cross
 * the proxy in either direction. {@code Transfer-Encoding} stays: the codecs frame bodies by it.
 */
public final class HopByHopHeaders {
    /** Always hop-by-hop; {@link RawResponse} drops the same ones from the responses it rewrites. */
    static final List<CharSequence> FIXED = List.of(
            // Keep-Alive and Proxy-Connection as strings: Netty deprecates their constants because no one should send them.
            HttpHeaderNames.CONNECTION, AsciiString.cached("Keep-Alive"), AsciiString.cached("Proxy-Connection"),
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE);

    private HopByHopHeaders() {}

    /** Removes the fixed hop-by-hop headers and every header the {@code Connection} header names. */
    public static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : connection.split(",")) {
                    String name = token.trim();
                    // keep-alive and close are the usual tokens: they name no header of their own (Keep-Alive goes below anyway).
                    if (!name.isEmpty() && !name.equalsIgnoreCase("keep-alive") && !name.equalsIgnoreCase("close")
                            && !name.equalsIgnoreCase(HttpHeaderNames.TRANSFER_ENCODING.toString())) {
                        headers.remove(name);
                    }
                }
            }
        }
        for (CharSequence name : FIXED) {
            headers.remove(name);
        }
    }
}
