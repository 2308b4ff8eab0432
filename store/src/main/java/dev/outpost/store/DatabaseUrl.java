package dev.outpost.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where the store lives, parsed from what a user writes: {@code sqlite:/abs/path/outpost.db},
 * {@code jdbc:sqlite:/path}, a plain file path, {@code postgresql://user:pass@host:port/db?opts} or
 * {@code jdbc:postgresql://…}. {@link #display()} is the form safe for messages and logs: the password
 * is masked.
 *
 * @param sqliteFile the database file (SQLite only, absolute), else null
 * @param user       the PostgreSQL user from the URL, or null
 * @param password   the PostgreSQL password from the URL, or null
 */
record DatabaseUrl(Dialect dialect, String jdbcUrl, Path sqliteFile, String user, String password, String display) {

    static final String EXPECTED = "expected sqlite:/path/outpost.db, a file path, or postgresql://user:pass@host:port/db";

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&]*");

    @Override
    public String toString() {
        return display;
    }

    /** Parses {@code url}; throws {@link StoreException} naming the (masked) URL and what form was expected. */
    static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new StoreException("store URL is empty (" + EXPECTED + ")");
        }
        String u = url.trim();
        String lower = u.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("jdbc:sqlite:")) {
            return sqlite(u.substring("jdbc:sqlite:".length()), u);
        }
        if (lower.startsWith("sqlite:")) {
            return sqlite(u.substring("sqlite:".length()), u);
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return postgresql(u.substring("jdbc:".length()));
        }
        if (lower.startsWith("postgresql:") || lower.startsWith("postgres:")) {
            return postgresql(u);
        }
        // Windows drive letters ("C:\...") look like a scheme but are file paths.
        if (SCHEME.matcher(u).find() && !u.matches("^[a-zA-Z]:[\\\\/].*")) {
            throw new StoreException("unsupported store URL " + mask(u) + " (" + EXPECTED + ")");
        }
        return sqlite(u, u);
    }

    /** {@code text} with any password (in user info or a {@code password=} parameter) replaced by {@code ***}. */
    static String mask(String text) {
        String masked = PASSWORD_PARAM.matcher(text).replaceAll("$1***");
        int scheme = masked.indexOf("://");
        if (scheme < 0) {
            return masked;
        }
        int authorityStart = scheme + 3;
        int authorityEnd = indexOfAny(masked, authorityStart, '/', '?', '#');
        int at = masked.lastIndexOf('@', authorityEnd - 1);
        if (at < authorityStart) {
            return masked;
        }
        int colon = masked.indexOf(':', authorityStart);
        if (colon < 0 || colon > at) {
            return masked;
        }
        return masked.substring(0, colon + 1) + "***" + masked.substring(at);
    }

    private static DatabaseUrl sqlite(String location, String original) {
        String path = location;
        // sqlite:///abs/path and sqlite://localhost/abs/path are the URI spellings of sqlite:/abs/path
        if (path.startsWith("//")) {
            int slash = path.indexOf('/', 2);
            path = slash < 0 ? "" : path.substring(slash);
        }
        if (path.isBlank() || path.startsWith(":memory:") || path.startsWith("file::memory:")) {
            throw new StoreException("store URL " + original + " names no database file (" + EXPECTED + ")");
        }
        Path file;
        try {
            file = Path.of(path).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new StoreException("store URL " + original + " is not a valid file path: " + e.getMessage(), e);
        }
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file, file, null, null, "sqlite:" + file);
    }

    private static DatabaseUrl postgresql(String url) {
        String display = mask(url);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new StoreException("store URL " + display + " is not a valid PostgreSQL URL: " + e.getReason()
                    + " (" + EXPECTED + ")");
        }
        if (uri.getHost() == null) {
            throw new StoreException("store URL " + display + " names no host (" + EXPECTED + ")");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost();
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(host);
        if (uri.getPort() >= 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            jdbc.append('?').append(uri.getRawQuery());
        }
        return new DatabaseUrl(Dialect.POSTGRESQL, jdbc.toString(), null, user, password, display);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static int indexOfAny(String s, int from, char... chars) {
        int best = s.length();
        for (char c : chars) {
            int i = s.indexOf(c, from);
            if (i >= 0 && i < best) {
                best = i;
            }
        }
        return best;
    }
}
