/**
 * TLS certificates imported for host names: {@link dev.outpost.server.certs.ImportedCertificate#parse}
 * validates a PEM chain and key before anything is stored (key matches, chain in order, dates, host
 * covered), and the API seals the key with the server's secrets key before the store sees it.
 */
package dev.outpost.server.certs;
