package dev.outpost.server.certs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A certificate chain and private key for a host, validated: the key is the leaf's, each certificate
 * is signed by the next (leaf first), none is expired or not yet valid, and the leaf's DNS names
 * cover the host (a {@code *.example.com} name covers one label). The key is kept as PKCS#8 PEM
 * whatever form it came in, so edges need only one parser.
 *
 * @param host     lower case, e.g. {@code app.example.com} or {@code *.example.com}
 * @param chain    the certificates, leaf first
 * @param keyPem   the key as PKCS#8 PEM
 * @param warnings e.g. "expires in 12 days (2026-12-04T00:00:00Z)"
 */
public record ImportedCertificate(String host, List<X509Certificate> chain, String keyPem, List<String> warnings) {
    /** An import is warned about when its leaf expires sooner than this. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public ImportedCertificate {
        chain = List.copyOf(chain);
        warnings = List.copyOf(warnings);
    }

    @Override
    public String toString() {
        return "ImportedCertificate[" + host + ", " + chain.size() + " certificates, key hidden]";
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The chain as PEM, leaf first. */
    public String chainPem() {
        StringBuilder out = new StringBuilder();
        for (X509Certificate cert : chain) {
            try {
                out.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new CertificateException("certificate " + cert.getSubjectX500Principal() + " cannot be encoded: " + e.getMessage(), e);
            }
        }
        return out.toString();
    }

    /** The leaf's DNS subject alternative names. */
    public List<String> names() {
        return dnsNames(leaf());
    }

    /** SHA-256 of the leaf's DER encoding, lower-case hex. */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new CertificateException("cannot fingerprint the certificate of " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses and validates.
     *
     * @throws CertificateException naming what is wrong: the host, the PEM, the key, the order, the dates or the names
     */
    public static ImportedCertificate parse(String host, String chainPem, String keyPem, Instant now) {
        String name = checkHost(host);
        if (chainPem == null || chainPem.isBlank()) {
            throw new CertificateException("no certificate given for " + name + ": pass the PEM chain, leaf first (--cert FILE)");
        }
        if (keyPem == null || keyPem.isBlank()) {
            throw new CertificateException("no private key given for " + name + ": pass the leaf's PEM key (--key FILE)");
        }
        List<X509Certificate> chain = certificates(chainPem);
        PrivateKey key = privateKey(keyPem);
        X509Certificate leaf = chain.get(0);
        for (int i = 1; i < chain.size() && !matches(key, leaf.getPublicKey()); i++) {
            if (matches(key, chain.get(i).getPublicKey())) {
                throw new CertificateException("the chain is not in order: the private key belongs to certificate " + (i + 1) + " ("
                        + chain.get(i).getSubjectX500Principal().getName() + "), but the leaf must come first, then its issuer, and so on");
            }
        }
        if (!matches(key, leaf.getPublicKey())) {
            throw new CertificateException("the private key does not match the certificate " + leaf.getSubjectX500Principal().getName()
                    + " (the first in the chain): pass the key this certificate was issued for");
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            if (!signedBy(cert, issuer)) {
                throw new CertificateException("certificate " + (i + 1) + " (" + cert.getSubjectX500Principal().getName()
                        + ") is not signed by certificate " + (i + 2) + " (" + issuer.getSubjectX500Principal().getName()
                        + "): the chain must be in order, leaf first, each certificate followed by its issuer");
            }
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            if (now.isAfter(cert.getNotAfter().toInstant())) {
                throw new CertificateException("certificate " + (i + 1) + " (" + cert.getSubjectX500Principal().getName()
                        + ") expired on " + cert.getNotAfter().toInstant() + ": renew it and import the new one");
            }
            if (now.isBefore(cert.getNotBefore().toInstant())) {
                throw new CertificateException("certificate " + (i + 1) + " (" + cert.getSubjectX500Principal().getName()
                        + ") is not valid before " + cert.getNotBefore().toInstant() + " (check the clock, or import it then)");
            }
        }
        List<String> names = dnsNames(leaf);
        if (names.stream().noneMatch(n -> covers(n, name))) {
            throw new CertificateException("the certificate does not cover " + name + ": its names are "
                    + (names.isEmpty() ? "none (no DNS subject alternative name)" : String.join(", ", names)));
        }
        List<String> warnings = new ArrayList<>();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
            warnings.add("the certificate of " + name + " expires in " + Duration.between(now, notAfter).toDays() + " days (" + notAfter + ")");
        }
        return new ImportedCertificate(name, chain, pkcs8Pem(key), warnings);
    }

    /** Whether a certificate name (possibly {@code *.example.com}) covers {@code host} (possibly a wildcard itself). */
    static boolean covers(String certName, String host) {
        String n = certName.toLowerCase(Locale.ROOT);
        if (n.equals(host)) {
            return true;
        }
        if (n.startsWith("*.") && !host.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(n.substring(1));
        }
        return false;
    }

    private static String checkHost(String host) {
        if (host == null || host.isBlank()) {
            throw new CertificateException("a certificate needs the host name it is for, e.g. app.example.com or *.example.com");
        }
        String name = host.trim().toLowerCase(Locale.ROOT);
        String rest = name.startsWith("*.") ? name.substring(2) : name;
        String[] labels = rest.split("\\.", -1);
        boolean valid = name.length() <= 253 && labels.length >= 1;
        for (String label : labels) {
            valid &= LABEL.matcher(label).matches();
        }
        if (!valid || (name.startsWith("*.") && labels.length < 2)) {
            throw new CertificateException("host " + host + " is not a DNS name: use letters, digits and hyphens in dot-separated labels"
                    + ", optionally starting with *. for a wildcard (e.g. app.example.com, *.example.com)");
        }
        return name;
    }

    private static List<X509Certificate> certificates(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new CertificateException("the certificate file is not PEM: it has no -----BEGIN CERTIFICATE----- block"
                    + " (convert DER with: openssl x509 -inform der -in FILE -out FILE.pem)");
        }
        try {
            Collection<? extends java.security.cert.Certificate> read = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> chain = read.stream().map(X509Certificate.class::cast).toList();
            if (chain.isEmpty()) {
                throw new CertificateException("the certificate file holds no certificate");
            }
            return chain;
        } catch (java.security.cert.CertificateException e) {
            throw new CertificateException("the certificate file does not parse as PEM X.509 certificates: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object read = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (read instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (read instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (read instanceof PEMEncryptedKeyPair || read instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new CertificateException("the private key is encrypted: decrypt it first (openssl pkey -in KEY -out KEY.plain)"
                        + "; the server encrypts it at rest itself");
            }
            throw new CertificateException("the key file holds no PEM private key"
                    + (read == null ? "" : " (found " + read.getClass().getSimpleName() + ")")
                    + ": expected -----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----");
        } catch (IOException e) {
            throw new CertificateException("the key file does not parse as a PEM private key: " + e.getMessage(), e);
        }
    }

    /** A signature made with the key verifies with the certificate's public key: works for RSA, EC and EdDSA alike. */
    private static boolean matches(PrivateKey key, PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new CertificateException("private keys of type " + key.getAlgorithm() + " are not supported: use RSA, EC or Ed25519");
        };
        if (!key.getAlgorithm().equals(certificateKey.getAlgorithm())
                && !(key.getAlgorithm().startsWith("EC") && certificateKey.getAlgorithm().startsWith("EC"))) {
            return false;
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<String> dnsNames(X509Certificate cert) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return List.of();
            }
            // Type 2 is dNSName (RFC 5280 §4.2.1.6).
            return sans.stream().filter(s -> Integer.valueOf(2).equals(s.get(0))).map(s -> s.get(1).toString().toLowerCase(Locale.ROOT)).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new CertificateException("the names of certificate " + cert.getSubjectX500Principal().getName()
                    + " do not parse: " + e.getMessage(), e);
        }
    }

    private static String pkcs8Pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
