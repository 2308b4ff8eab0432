package dev.outpost.proxy.routing;

import java.util.Locale;
import java.util.Optional;

/**
 * The host a request named and the app it designates. {@code hello.outpost.localhost} and plain
 * {@code hello} both name app {@code hello}; the port, a trailing dot and letter case are ignored.
 *
 * @param host the host as the proxy reports it in error bodies: lower case, without port
 * @param app  the app name the host designates, empty when the host cannot name an app
 */
public record AppHost(String host, Optional<String> app) {

    /** The domain under which every app has a name, as {@code <app>.outpost.localhost}. */
    public static final String APP_DOMAIN = ".outpost.localhost";


    public AppHost {
        if (host == null || app == null) {
            throw new IllegalArgumentException("host and app must not be null");
        }
    }

    /** Reads a {@code Host} header value ({@code hello.outpost.localhost:8080}, {@code [::1]:80}, {@code hello}). */
    public static AppHost parse(String hostHeader) {
        String host = withoutPort(hostHeader.trim()).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        String candidate = host.endsWith(APP_DOMAIN) ? host.substring(0, host.length() - APP_DOMAIN.length()) : host;
        Optional<String> app = isAppName(candidate) ? Optional.of(candidate) : Optional.empty();
        return new AppHost(host, app);
    }

    /**
     * {@code [a-z][a-z0-9-]{1,62}}, checked by hand: this runs on every request, and a regex
     * matcher is an allocation per request.
     */
    static boolean isAppName(String s) {
        int n = s.length();
        if (n < 2 || n > 63 || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a {@code Host} value is {@code host [":" port]} (RFC 9112 §3.2, RFC 3986 §3.2.2): a
     * name of unreserved, sub-delim and percent characters, or an IP literal in brackets, and a port
     * of digits. A value that is not (a path, user information, spaces) is a malformed request.
     */
    public static boolean isValidHost(String value) {
        int n = value.length();
        int i;
        if (n > 0 && value.charAt(0) == '[') {
            i = 1;
            while (i < n && isIpLiteralChar(value.charAt(i))) {
                i++;
            }
            if (i == 1 || i >= n || value.charAt(i) != ']') {
                return false;
            }
            i++;
        } else {
            i = 0;
            while (i < n && isRegNameChar(value.charAt(i))) {
                i++;
            }
            if (i == 0) {
                return false;
            }
        }
        if (i == n) {
            return true;
        }
        if (value.charAt(i) != ':' || n - i - 1 > 5) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            if (value.charAt(j) < '0' || value.charAt(j) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isRegNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
    }

    private static boolean isIpLiteralChar(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            // An IPv6 literal: its colons are not a port separator; it never names an app.
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
