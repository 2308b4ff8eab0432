package dev.outpost.proxy.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of host name → TLS context. A name is looked up exactly first, then as the
 * wildcard one label up ({@code a.example.com} → {@code *.example.com}; a wildcard covers one label,
 * as in RFC 6125), then the default.
 */
public record CertificateMap(Map<String, SslContext> byHost, SslContext fallback) {
    public CertificateMap {
        byHost = Map.copyOf(byHost);
    }

    /** The context for an SNI name; the default when there is none or no certificate matches. */
    public SslContext forName(String sniName) {
        return match(sniName).orElse(fallback);
    }

    /** The imported context matching {@code sniName}, if any. */
    public Optional<SslContext> match(String sniName) {
        if (sniName == null || sniName.isEmpty()) {
            return Optional.empty();
        }
        String name = sniName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        SslContext exact = byHost.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        int dot = name.indexOf('.');
        return dot > 0 ? Optional.ofNullable(byHost.get("*" + name.substring(dot))) : Optional.empty();
    }
}
