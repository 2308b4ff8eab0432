package dev.outpost.proxy.http;

import dev.outpost.proxy.routing.AppHost;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;
import java.util.Locale;

/**
 * What a request names, made unambiguous before it is routed (RFC 9112 §3): the edge routes by one
 * host and the instance must see that same host, so a request that could be read two ways is refused.
 * <ul>
 *   <li>more than one {@code Host} line: 400 (RFC 9112 §3.2); the edge would route by one and an
 *       app server could read the other;</li>
 *   <li>the absolute form ({@code GET http://hello/x HTTP/1.1}): its authority is the host, whatever
 *       {@code Host} says (RFC 9112 §3.2.2). The request is routed by it, {@code Host} is replaced,
 *       and the instance gets the origin form ({@code /x}), the only form an origin server must
 *       understand (§3.2.1);</li>
 *   <li>a target that is neither a path, an absolute {@code http(s)} URI, nor {@code *} for
 *       {@code OPTIONS}: 400;</li>
 *   <li>{@code CONNECT}: 501. The edge is a reverse proxy: it routes by the app's host, and a
 *       tunnel to an arbitrary {@code host:port} is not something it forwards;</li>
 *   <li>an HTTP/1 request line naming another major version ({@code HTTP/2.0}, {@code HTTP/0.9}):
 *       505; a later 1.x minor version is read as HTTP/1.1 (RFC 9110 §2.5).</li>
 * </ul>
 * The common request ({@code HTTP/1.1}, a path, one {@code Host}) costs three comparisons and one
 * walk of the {@code Host} entries.
 */
final class RequestTarget {
    private RequestTarget() {}

    /** Checks the request and rewrites an absolute-form target in place; the refusal, or null when it may be routed. */
    static RequestRejectedException normalize(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            if (version.majorVersion() != 1) {
                return new RequestRejectedException(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                        "HTTP version not supported: the request line says " + version.text()
                                + "; send HTTP/1.1, or HTTP/2 over TLS (ALPN h2) or in cleartext with prior knowledge (h2c)");
            }
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            return new RequestRejectedException(HttpResponseStatus.NOT_IMPLEMENTED,
                    "CONNECT is not forwarded: the edge routes requests to apps by their host and does not open "
                            + "tunnels; to reach an app over raw TCP, give it a port without handlers in [[services.ports]]");
        }
        HttpHeaders headers = request.headers();
        String hosts = moreThanOneHost(headers);
        if (hosts != null) {
            return malformed("more than one Host header (" + hosts + "); send exactly one");
        }
        String uri = request.uri();
        if (uri.startsWith("/")) {
            return null;
        }
        if (uri.equals("*") && HttpMethod.OPTIONS.equals(request.method())) {
            return null;
        }
        return absoluteForm(request, uri);
    }

    /** The Host values joined, in the order they came, when there are several, else null; the common case makes no list. */
    private static String moreThanOneHost(HttpHeaders headers) {
        Iterator<String> values = headers.valueStringIterator(HttpHeaderNames.HOST);
        if (!values.hasNext()) {
            return null;
        }
        values.next();
        if (!values.hasNext()) {
            return null;
        }
        return "'" + String.join("', '", headers.getAll(HttpHeaderNames.HOST)) + "'";
    }

    /** {@code http(s)://authority[/path][?query]}: routed by its authority, sent on as its path. */
    private static RequestRejectedException absoluteForm(HttpRequest request, String uri) {
        int schemeEnd = uri.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return malformed("the request target '" + abbreviate(uri) + "' is neither a path starting with '/' "
                    + "nor an absolute http:// or https:// URI");
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < uri.length() && "/?#".indexOf(uri.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = uri.substring(authorityStart, authorityEnd);
        if (authority.isEmpty() || authority.indexOf('@') >= 0 || !AppHost.isValidHost(authority)) {
            return malformed("the request target '" + abbreviate(uri) + "' has no valid host"
                    + (authority.indexOf('@') >= 0 ? " (user information is not accepted in http URIs)" : ""));
        }
        if (authorityEnd < uri.length() && uri.charAt(authorityEnd) == '#') {
            return malformed("the request target '" + abbreviate(uri) + "' has a fragment; fragments are not sent in requests");
        }
        String rest = uri.substring(authorityEnd);
        // An empty path is "/", or "*" for OPTIONS, which then asks about the server rather than a resource (RFC 9112 §3.2.4).
        request.setUri(rest.isEmpty() ? (HttpMethod.OPTIONS.equals(request.method()) ? "*" : "/") : rest.startsWith("?") ? "/" + rest : rest);
        request.headers().set(HttpHeaderNames.HOST, authority);
        return null;
    }

    /** A target as error messages quote it: at most 100 characters. */
    static String abbreviate(String uri) {
        return uri.length() <= 100 ? uri : uri.substring(0, 100) + "…";
    }

    private static RequestRejectedException malformed(String why) {
        return new RequestRejectedException(HttpResponseStatus.BAD_REQUEST, "malformed request: " + why);
    }
}
