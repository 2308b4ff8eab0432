package dev.outpost.server.auth;

import dev.outpost.core.model.Token;
import dev.outpost.server.api.ApiException;
import dev.outpost.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks the token of a request: {@code Authorization: Bearer <token>}, or HTTP Basic with the token
 * as password (what registry clients send). Only SHA-256 hashes of tokens are stored.
 */
public final class TokenAuth {
    private final Store store;

    public TokenAuth(Store store) {
        this.store = store;
    }

    /** The token behind an {@code Authorization} header value; throws 401 when missing or wrong. */
    public Token authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw ApiException.unauthorized("missing token: send Authorization: Bearer <token> (outpost dev writes the admin token to <data dir>/admin-token)");
        }
        String secret = secret(authorization.trim());
        if (secret == null) {
            throw ApiException.unauthorized("unsupported Authorization scheme: use Bearer <token>");
        }
        Optional<Token> token = store.findTokenByHash(hash(secret));
        return token.orElseThrow(() -> ApiException.unauthorized("invalid token: it is unknown or was revoked"));
    }

    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    private static String secret(String header) {
        int space = header.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = header.substring(0, space);
        String value = header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return value;
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 ? null : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }
}
