package dev.outpost.proxy.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate a handshake gets when no imported one matches: self-signed for
 * {@code *.outpost.localhost} and {@code outpost.localhost}, made fresh (P-256) at every proxy start,
 * so there is no key file to keep. Browsers and curl need {@code -k} (or to trust it) — it is for dev.
 */
public record SelfSignedDefault(KeyPair keyPair, X509Certificate certificate) {
    public static final String WILDCARD = "*.outpost.localhost";
    private static final Duration VALIDITY = Duration.ofDays(365);

    /** Makes a new key pair and certificate. */
    public static SelfSignedDefault generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + WILDCARD + ", O=Outpost dev");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, WILDCARD),
                        new GeneralName(GeneralName.dNSName, "outpost.localhost")}))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new SelfSignedDefault(pair, cert);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new TlsException("cannot make the self-signed default certificate for " + WILDCARD + ": " + e.getMessage(), e);
        }
    }
}
