package dev.outpost.core.api;

import java.util.List;

/** The answer to a certificate import: what was stored, and warnings such as "expires in 12 days". */
public record CertificateImported(CertificateInfo certificate, List<String> warnings) {
    public CertificateImported {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
