/**
 * TLS on the edge: the certificates each HTTPS handshake may present and how they are kept current.
 * Start with {@link dev.outpost.proxy.tls.SniCertificates}: the map of host name → {@code SslContext}
 * that {@code SniHandler} reads on every handshake and that {@link dev.outpost.proxy.tls.CertificateWatcher}
 * swaps atomically when the server's certificates change, so no connection is dropped and the next
 * handshake already sees the new certificate. {@link dev.outpost.proxy.tls.SelfSignedDefault} is what
 * a handshake gets when no imported certificate matches; {@link dev.outpost.proxy.tls.TlsProvider}
 * picks OpenSSL (BoringSSL) when it loads and the JDK otherwise.
 */
package dev.outpost.proxy.tls;
