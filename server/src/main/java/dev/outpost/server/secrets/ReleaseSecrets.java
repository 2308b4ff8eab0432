package dev.outpost.server.secrets;

import dev.outpost.store.Secrets;
import dev.outpost.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens stored secrets for the two places allowed to see them: an agent's assignment (the
 * instance's environment) and the digest a listing shows. Nothing else gets a value out.
 */
public final class ReleaseSecrets {
    /** Hex digits of the value's SHA-256 a listing shows: enough to tell values apart, not to print them. */
    public static final int DIGEST_HEX = 16;

    private final Store store;
    private final SecretBox box;

    public ReleaseSecrets(Store store, SecretBox box) {
        this.store = store;
        this.box = box;
    }

    public SecretBox box() {
        return box;
    }

    /** The secrets release {@code release} of {@code app} runs, name → value, by name. */
    public Map<String, String> of(String app, int release) {
        return open(app, store.secrets().ofRelease(app, release));
    }

    /** The values of {@code set}, name → value, by name. */
    public Map<String, String> open(String app, Secrets.SecretSet set) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Secrets.Sealed s : set.secrets()) {
            values.put(s.name(), box.open(app, s.name(), s.sealed()));
        }
        return values;
    }

    /** The first {@value #DIGEST_HEX} hex digits of the SHA-256 of {@code value}. */
    public static String digest(String value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, DIGEST_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
