package dev.outpost.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * The headers the proxy vouches for on one request (DESIGN §5): {@code Outpost-Client-IP},
 * {@code Outpost-Region}, {@code X-Forwarded-For}, {@code -Proto}, {@code -Port}, {@code Via}, which
 * are the same for every request of a connection, and {@code Outpost-Request-Id} and
 * {@code X-Forwarded-Host}, which are not.
 *
 * <p>They stay out of the request's header map: the HTTP/1.1 encoder to the instance writes them as
 * bytes after the map's headers ({@link UpstreamCodec}), the connection's part from one array made
 * on its first request. Setting them in the map cost seven header entries per request, the largest
 * allocation on the edge, and their encoding header by header. Whatever needs them as headers (an
 * HTTP/2 instance) calls {@link #setOn}.
 */
final class ForwardingHeaders {
    private static final AsciiString CLIENT_IP = AsciiString.cached(ForwardedHeadersHandler.CLIENT_IP);
    private static final AsciiString REGION = AsciiString.cached(ForwardedHeadersHandler.REGION);
    private static final AsciiString REQUEST_ID = AsciiString.cached(ForwardedHeadersHandler.REQUEST_ID);
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached(ForwardedHeadersHandler.X_FORWARDED_FOR);
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached(ForwardedHeadersHandler.X_FORWARDED_PROTO);
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached(ForwardedHeadersHandler.X_FORWARDED_PORT);
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached(ForwardedHeadersHandler.X_FORWARDED_HOST);
    private static final byte[] REQUEST_ID_PREFIX = (ForwardedHeadersHandler.REQUEST_ID + ": ").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] X_FORWARDED_HOST_PREFIX = (ForwardedHeadersHandler.X_FORWARDED_HOST + ": ").getBytes(StandardCharsets.US_ASCII);
    private static final short CRLF = ('\r' << 8) | '\n';

    /** What a connection's requests share: its addresses, the edge's region and the scheme, also as wire bytes. */
    static final class Connection {
        private final String clientIp;
        private final String region;
        private final String scheme;
        private final String localPort;
        private final byte[] wire;

        Connection(String clientIp, String region, String scheme, String localPort) {
            this.clientIp = clientIp;
            this.region = region;
            this.scheme = scheme;
            this.localPort = localPort;
            this.wire = (ForwardedHeadersHandler.CLIENT_IP + ": " + clientIp + "\r\n"
                    + ForwardedHeadersHandler.REGION + ": " + region + "\r\n"
                    + ForwardedHeadersHandler.X_FORWARDED_FOR + ": " + clientIp + "\r\n"
                    + ForwardedHeadersHandler.X_FORWARDED_PROTO + ": " + scheme + "\r\n"
                    + ForwardedHeadersHandler.X_FORWARDED_PORT + ": " + localPort + "\r\n"
                    + "Via: " + ForwardedHeadersHandler.VIA_VALUE + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Connection connection;
    private final String requestId;
    /** The request's host ({@code X-Forwarded-Host}), or null when it named none. */
    private final String host;

    ForwardingHeaders(Connection connection, String requestId, String host) {
        this.connection = connection;
        this.requestId = requestId;
        this.host = host;
    }

    /** Appends the header lines to a head being encoded (before its blank line), as Netty's encoder writes values: ASCII. */
    void writeTo(ByteBuf buf) {
        buf.writeBytes(connection.wire);
        buf.writeBytes(REQUEST_ID_PREFIX);
        ByteBufUtil.writeAscii(buf, requestId);
        buf.writeShort(CRLF);
        if (host != null) {
            buf.writeBytes(X_FORWARDED_HOST_PREFIX);
            ByteBufUtil.writeAscii(buf, host);
            buf.writeShort(CRLF);
        }
    }

    /** Sets them in {@code headers}, replacing what is there (for an instance that is not sent HTTP/1.1 bytes). */
    void setOn(HttpHeaders headers) {
        headers.set(CLIENT_IP, connection.clientIp)
                .set(REGION, connection.region)
                .set(REQUEST_ID, requestId)
                .set(X_FORWARDED_FOR, connection.clientIp)
                .set(X_FORWARDED_PROTO, connection.scheme)
                .set(X_FORWARDED_PORT, connection.localPort)
                .set(HttpHeaderNames.VIA, ForwardedHeadersHandler.VIA_VALUE);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
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
