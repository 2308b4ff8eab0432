package dev.outpost.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.core.api.EdgeCertificates;
import dev.outpost.proxy.testing.TestCertificates;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SniCertificatesTest {
    private static TestCertificates.Issued ca;
    private static TestCertificates.Issued exact;
    private static TestCertificates.Issued wildcard;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.ca("Test CA");
        exact = TestCertificates.leaf(ca, "app.example.com");
        wildcard = TestCertificates.leaf(ca, "*.example.com");
    }

    private static EdgeCertificates.Entry entry(String host, TestCertificates.Issued cert) {
        return new EdgeCertificates.Entry(host, cert.certificatePem(), cert.keyPem());
    }

    @Test
    void anExactNameWinsOverAWildcardWhichCoversOneLabelElseTheDefault() {
        SniCertificates certs = new SniCertificates(TlsProvider.jdk(), SelfSignedDefault.generate());
        SslContext fallback = certs.map(null);
        certs.update(new EdgeCertificates(1, List.of(entry("app.example.com", exact), entry("*.example.com", wildcard))));

        SslContext forApp = certs.map("APP.example.com.");
        SslContext forOther = certs.map("other.example.com");

        assertThat(forApp).isNotSameAs(fallback).isNotSameAs(forOther);
        assertThat(forOther).isNotSameAs(fallback);
        assertThat(certs.map("a.b.example.com")).isSameAs(fallback);
        assertThat(certs.map("example.com")).isSameAs(fallback);
        assertThat(certs.map("hello.outpost.localhost")).isSameAs(fallback);
    }

    @Test
    void anUnchangedEntryKeepsItsContextAndABrokenOneKeepsThePrevious() {
        SniCertificates certs = new SniCertificates(TlsProvider.jdk(), SelfSignedDefault.generate());
        certs.update(new EdgeCertificates(1, List.of(entry("app.example.com", exact))));
        SslContext before = certs.map("app.example.com");

        certs.update(new EdgeCertificates(2, List.of(entry("app.example.com", exact))));
        assertThat(certs.map("app.example.com")).isSameAs(before);

        certs.update(new EdgeCertificates(3, List.of(new EdgeCertificates.Entry("app.example.com", "not a certificate", "nor a key"),
                new EdgeCertificates.Entry("new.example.com", "garbage", "garbage"))));
        assertThat(certs.map("app.example.com")).isSameAs(before);
        assertThat(certs.map("new.example.com")).isSameAs(certs.map(null));

        certs.update(new EdgeCertificates(4, List.of()));
        assertThat(certs.map("app.example.com")).isSameAs(certs.map(null));
    }

    @Test
    void theBestProviderIsOpenSslWhenItsNativeLibraryLoads() {
        TlsProvider best = TlsProvider.best();

        assertThat(best.name()).satisfiesAnyOf(n -> assertThat(n).startsWith("openssl"), n -> assertThat(n).isEqualTo("jdk"));
        if (io.netty.handler.ssl.OpenSsl.isAvailable()) {
            assertThat(best.name()).startsWith("openssl");
        }
    }
}
