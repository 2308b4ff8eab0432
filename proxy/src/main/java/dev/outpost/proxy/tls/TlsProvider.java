package dev.outpost.proxy.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * Which TLS implementation the edge uses and how a server context is built with it: OpenSSL
 * (netty-tcnative BoringSSL) when its native library loads and does ALPN, the JDK's otherwise.
 * Every context speaks TLS 1.2 and 1.3 and offers ALPN {@code h2} then {@code http/1.1}.
 */
public record TlsProvider(SslProvider provider) {
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** OpenSSL when available with ALPN, else the JDK. */
    public static TlsProvider best() {
        if (OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)) {
            return new TlsProvider(SslProvider.OPENSSL);
        }
        return jdk();
    }

    public static TlsProvider jdk() {
        return new TlsProvider(SslProvider.JDK);
    }

    public String name() {
        return provider == SslProvider.JDK ? "jdk" : "openssl " + OpenSsl.versionString();
    }

    /**
     * A server context presenting {@code chain} (leaf first) with {@code key}.
     *
     * @param what names the certificate in the error, e.g. "certificate of app.example.com"
     */
    public SslContext serverContext(PrivateKey key, X509Certificate[] chain, String what) {
        try {
            return SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    // HTTP/2 forbids the weak suites of TLS 1.2 (RFC 9113 appendix A): offer only those it allows.
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsException("cannot load the " + what + " into a TLS context (" + name() + "): " + e.getMessage(), e);
        }
    }
}
