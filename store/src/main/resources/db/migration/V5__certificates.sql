-- TLS certificates imported for host names, served by every edge proxy (SNI).
--
-- The chain is public (PEM, leaf first). The private key is sealed by the server (AES-GCM under
-- its secrets key, base64 of nonce || ciphertext || tag): the store never holds it in plain text.
CREATE TABLE certificates (
    host        TEXT   NOT NULL PRIMARY KEY,
    chain_pem   TEXT   NOT NULL,
    sealed_key  TEXT   NOT NULL,
    not_after   BIGINT NOT NULL,
    imported_at BIGINT NOT NULL
);
