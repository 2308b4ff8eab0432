package dev.outpost.core.api;

/**
 * The body of {@code PUT /v1/certs/{host}}: a PEM certificate chain, leaf first, and the leaf's PEM
 * private key (PKCS#8, PKCS#1 RSA or SEC1 EC). The server validates both before storing anything.
 */
public record ImportCertificateRequest(String chain, String key) {
    @Override
    public String toString() {
        return "ImportCertificateRequest[chain " + (chain == null ? 0 : chain.length()) + " chars, key hidden]";
    }
}
