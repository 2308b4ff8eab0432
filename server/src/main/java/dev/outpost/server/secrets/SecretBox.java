package dev.outpost.server.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secret values with AES-256-GCM: a random 96-bit nonce per value, a 128-bit tag, and the
 * app and secret name as associated data — so a sealed value moved to another name or app does
 * not open. Sealed form: base64 of {@code nonce || ciphertext || tag}. Thread-safe.
 */
public final class SecretBox {
    /** Key length in bytes (AES-256). */
    public static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    /** @throws IllegalArgumentException when {@code key} is not {@value #KEY_BYTES} bytes */
    public SecretBox(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a secrets key is " + KEY_BYTES + " bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /** Seals {@code value}, the secret {@code name} of {@code app}. */
    public String seal(String app, String name, String value) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, app, name);
            byte[] sealed = cipher.doFinal(plain);
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new SecretsException("cannot seal secret " + name + " of app " + app + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Opens what {@link #seal} made for the same app and name.
     *
     * @throws SecretsException when it was sealed under another key, for another name, or altered
     */
    public String open(String app, String name, String sealed) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed);
        } catch (IllegalArgumentException e) {
            throw new SecretsException("secret " + name + " of app " + app + " is not a sealed value (not base64)", e);
        }
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretsException("secret " + name + " of app " + app + " is not a sealed value (" + bytes.length + " bytes)");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(bytes, NONCE_BYTES), app, name);
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretsException("secret " + name + " of app " + app + " does not open with this server's secrets.key"
                    + " (sealed under another key, or altered)", e);
        } catch (GeneralSecurityException e) {
            throw new SecretsException("cannot open secret " + name + " of app " + app + ": " + e.getMessage(), e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String app, String name) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(("outpost-secret\0" + app + "\0" + name).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
