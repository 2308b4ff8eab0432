package dev.outpost.proxy.tls;

import dev.outpost.core.api.EdgeCertificates;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates of one edge, read by {@code SniHandler} on every handshake: the current
 * {@link CertificateMap}, replaced atomically by {@link #update}. A handshake in progress keeps the
 * context it picked and open connections keep their session, so a change drops nothing; the next
 * handshake sees the new map. Thread-safe.
 */
public final class SniCertificates implements Mapping<String, SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(SniCertificates.class);

    private final TlsProvider provider;
    private final SslContext fallback;
    private final AtomicReference<CertificateMap> current;
    private final Map<String, Loaded> loaded = new HashMap<>();

    /** With the self-signed default as the fallback and no imported certificate yet. */
    public SniCertificates(TlsProvider provider, SelfSignedDefault fallback) {
        this.provider = provider;
        this.fallback = provider.serverContext(fallback.keyPair().getPrivate(), new X509Certificate[] {fallback.certificate()},
                "self-signed default certificate for " + SelfSignedDefault.WILDCARD);
        this.current = new AtomicReference<>(new CertificateMap(Map.of(), this.fallback));
    }

    @Override
    public SslContext map(String sniName) {
        return current.get().forName(sniName);
    }

    /** The snapshot handshakes read now. */
    public CertificateMap current() {
        return current.get();
    }

    public TlsProvider provider() {
        return provider;
    }

    /**
     * Replaces the imported certificates with {@code certificates}. A host whose PEM did not change
     * keeps its context; one that does not load keeps its previous context (if any) and is logged,
     * so one bad entry never takes the others down.
     */
    public synchronized void update(EdgeCertificates certificates) {
        Map<String, Loaded> next = new HashMap<>();
        for (EdgeCertificates.Entry entry : certificates.certificates()) {
            String host = entry.host().toLowerCase(Locale.ROOT);
            Loaded before = loaded.get(host);
            if (before != null && before.chain().equals(entry.chain()) && before.key().equals(entry.key())) {
                next.put(host, before);
                continue;
            }
            try {
                next.put(host, new Loaded(entry.chain(), entry.key(), load(entry)));
            } catch (TlsException e) {
                LOG.error("{}; handshakes for {} keep {}", e.getMessage(), host,
                        before == null ? "the default certificate" : "the previous certificate");
                if (before != null) {
                    next.put(host, before);
                }
            }
        }
        loaded.clear();
        loaded.putAll(next);
        Map<String, SslContext> contexts = new HashMap<>();
        next.forEach((host, l) -> contexts.put(host, l.context()));
        current.set(new CertificateMap(contexts, fallback));
        LOG.debug("edge certificates now cover {} (index {})", contexts.keySet(), certificates.index());
    }

    private SslContext load(EdgeCertificates.Entry entry) {
        String what = "certificate of " + entry.host();
        X509Certificate[] chain;
        try {
            chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(entry.chain().getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        } catch (CertificateException e) {
            throw new TlsException(what + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
        if (chain.length == 0) {
            throw new TlsException(what + " has no certificate in its PEM chain", null);
        }
        return provider.serverContext(privateKey(entry.key(), what), chain, what);
    }

    /** A PEM private key in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) form. */
    static PrivateKey privateKey(String pem, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object read = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (read instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (read instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new TlsException("the key of the " + what + " is not an unencrypted PEM private key"
                    + (read == null ? "" : " (found " + read.getClass().getSimpleName() + ")"), null);
        } catch (IOException e) {
            throw new TlsException("the key of the " + what + " does not parse as PEM: " + e.getMessage(), e);
        }
    }

    private record Loaded(String chain, String key, SslContext context) {}
}
