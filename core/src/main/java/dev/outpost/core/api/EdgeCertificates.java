package dev.outpost.core.api;

import java.util.List;

/**
 * What edge proxies load for TLS ({@code GET /v1/certs/pem}, a blocking query like the routing
 * table): per host name, the PEM chain and the PEM private key (PKCS#8), decrypted for the proxy.
 */
public record EdgeCertificates(long index, List<Entry> certificates) {
    public EdgeCertificates {
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
    }

    /** One host's chain (leaf first) and key. */
    public record Entry(String host, String chain, String key) {
        @Override
        public String toString() {
            return "Entry[" + host + ", key hidden]";
        }
    }
}
