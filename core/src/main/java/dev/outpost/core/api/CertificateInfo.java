package dev.outpost.core.api;

import java.time.Instant;
import java.util.List;

/**
 * An imported certificate as {@code GET /v1/certs} lists it: what it covers and until when. Never
 * the private key.
 *
 * @param host        the host name it was imported for (may be a wildcard such as {@code *.example.com})
 * @param subject     the leaf's subject distinguished name
 * @param issuer      the leaf's issuer distinguished name
 * @param names       the leaf's DNS subject alternative names
 * @param notAfter    when the leaf expires
 * @param fingerprint the SHA-256 of the leaf's DER encoding, lower-case hex
 */
public record CertificateInfo(String host, String subject, String issuer, List<String> names, Instant notBefore,
                              Instant notAfter, String fingerprint, Instant importedAt) {
    public CertificateInfo {
        names = names == null ? List.of() : List.copyOf(names);
    }
}
