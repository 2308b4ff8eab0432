package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

/**
 * The headers the proxy vouches for on one request (DESIGN §5): {@code Outpost-Client-IP},
 * {@code Outpost-Region}, {@code X-Forwarded-For}, {@code -Proto}, {@code -Port}, {@code Via}, which
 * are the same for every request of a connection, and {@code Outpost-Request-Id},
 * {@code X-Forwarded-Host} and {@code CDN-Loop} (the client's entries, then the edge's), which are not.
 *
 * <p>They stay out of the request's header map: the HTTP/1.1 encoder to the instance writes them as
 * bytes after the map's headers ({@link UpstreamCodec}), the connection's part from one array made
 * on its first request. Setting them in the map cost seven header entries per request, the largest
 * allocation on the edge, and their encoding header by header. Whatever needs them as headers (an
 * HTTP/2 instance) calls {@link #setOn}.
 */
final class ForwardingHeaders {
    private static final AsciiString REQUEST_ID = AsciiString.cached(ForwardedHeadersHandler.REQUEST_ID);
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached(ForwardedHeadersHandler.X_FORWARDED_HOST);
    /** The connection's header names, in the order of the values {@link Connection} is given. */
    private static final List<AsciiString> CONNECTION_NAMES = Stream.of(ForwardedHeadersHandler.CLIENT_IP,
            ForwardedHeadersHandler.REGION, ForwardedHeadersHandler.X_FORWARDED_FOR, ForwardedHeadersHandler.X_FORWARDED_PROTO,
            ForwardedHeadersHandler.X_FORWARDED_PORT, "Via").map(AsciiString::cached).toList();
    /** "Name: " of each of {@link #CONNECTION_NAMES}, as bytes. */
    private static final List<byte[]> CONNECTION_PREFIXES = CONNECTION_NAMES.stream().map(ForwardingHeaders::prefix).toList();
    private static final byte[] REQUEST_ID_PREFIX = prefix(REQUEST_ID);
    private static final byte[] X_FORWARDED_HOST_PREFIX = prefix(X_FORWARDED_HOST);
    private static final AsciiString CDN_LOOP = AsciiString.cached(ForwardedHeadersHandler.CDN_LOOP);
    private static final byte[] CDN_LOOP_PREFIX = prefix(CDN_LOOP);
    private static final short CRLF = ('\r' << 8) | '\n';

    /** What a connection's requests share: its addresses, the edge's region and the scheme, as values and as wire bytes. */
    static final class Connection {
        /** In the order of {@link #CONNECTION_NAMES}. */
        private final List<String> values;
        private final byte[] wire;

        Connection(String clientIp, String region, String scheme, String localPort) {
            this.values = List.of(clientIp, region, clientIp, scheme, localPort, ForwardedHeadersHandler.VIA_VALUE);
            // Made once per user connection: sized exactly, written in place (a connection per request makes one per request).
            int length = 0;
            for (int i = 0; i < values.size(); i++) {
                length += CONNECTION_PREFIXES.get(i).length + values.get(i).length() + 2;
            }
            ByteBuf lines = Unpooled.wrappedBuffer(new byte[length]).clear();
            for (int i = 0; i < values.size(); i++) {
                line(lines, CONNECTION_PREFIXES.get(i), values.get(i));
            }
            this.wire = lines.array();
        }
    }

    private final Connection connection;
    private final String requestId;
    /** The request's host ({@code X-Forwarded-Host}), or null when it named none. */
    private final String host;
    /** The client's {@code CDN-Loop} entries, comma-joined, or null when it sent none. */
    private final String clientCdnLoop;

    ForwardingHeaders(Connection connection, String requestId, String host, String clientCdnLoop) {
        this.connection = connection;
        this.requestId = requestId;
        this.host = host;
        this.clientCdnLoop = clientCdnLoop;
    }

    /** {@code CDN-Loop} as the instance sees it: the client's entries, then this edge's. */
    String cdnLoop() {
        return clientCdnLoop == null ? ForwardedHeadersHandler.CDN_ID : clientCdnLoop + ", " + ForwardedHeadersHandler.CDN_ID;
    }

    /** Appends the header lines to a head being encoded (before its blank line), as Netty's encoder writes values: ASCII. */
    void writeTo(ByteBuf buf) {
        buf.writeBytes(connection.wire);
        line(buf, REQUEST_ID_PREFIX, requestId);
        if (host != null) {
            line(buf, X_FORWARDED_HOST_PREFIX, host);
        }
        line(buf, CDN_LOOP_PREFIX, cdnLoop());
    }

    /** Sets them in {@code headers}, replacing what is there (for an instance that is not sent HTTP/1.1 bytes). */
    void setOn(HttpHeaders headers) {
        for (int i = 0; i < CONNECTION_NAMES.size(); i++) {
            headers.set(CONNECTION_NAMES.get(i), connection.values.get(i));
        }
        headers.set(REQUEST_ID, requestId);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        headers.set(CDN_LOOP, cdnLoop());
    }

    private static byte[] prefix(AsciiString name) {
        return (name + ": ").getBytes(StandardCharsets.US_ASCII);
    }

    private static void line(ByteBuf buf, byte[] prefix, String value) {
        buf.writeBytes(prefix);
        ByteBufUtil.writeAscii(buf, value);
        buf.writeShort(CRLF);
    }

    /**
     * A request head bound for an instance: the client's head, rewritten (HTTP/1.1, its header map
     * without hop-by-hop or client-sent forwarding headers), sharing that map, plus the proxy's own
     * headers. Written as it is again on a retry or a replay.
     */
    static final class Request extends DefaultHttpRequest {
        private final ForwardingHeaders forwarding;

        Request(HttpMethod method, String uri, HttpHeaders headers, ForwardingHeaders forwarding) {
            // The request line was checked when the client's head was decoded (or made from HTTP/2 pseudo-headers).
            super(HttpVersion.HTTP_1_1, method, uri, headers, false);
            this.forwarding = forwarding;
        }

        ForwardingHeaders forwarding() {
            return forwarding;
        }
    }

    /** The proxy's headers of {@code request}, or null when it carries none (a head the proxy made itself). */
    static ForwardingHeaders of(HttpRequest request) {
        return request instanceof Request r ? r.forwarding : null;
    }
}
