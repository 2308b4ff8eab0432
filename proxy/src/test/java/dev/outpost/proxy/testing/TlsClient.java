package dev.outpost.proxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One HTTPS request over a fresh TLS connection (a new handshake every time) with a chosen SNI name,
 * trusting any certificate so the test can look at which one the edge presented.
 */
public final class TlsClient {
    /** The certificate the server presented, the status code and the raw response. */
    public record Exchange(X509Certificate leaf, int status, String response, String protocol) {}

    private TlsClient() {}

    public static Exchange get(int port, String sni, String host, String path) throws IOException, GeneralSecurityException {
        return send(port, sni, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    /** A socket whose TLS handshake with SNI {@code sni} and ALPN {@code alpn} is done; trusts any certificate. */
    public static SSLSocket connect(int port, String sni, String alpn) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAll()}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        try {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            parameters.setApplicationProtocols(new String[] {alpn});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code request} as is and reads the response to the end of the connection. */
    public static Exchange send(int port, String sni, String request) throws IOException, GeneralSecurityException {
        try (SSLSocket socket = connect(port, sni, "http/1.1")) {
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = response.startsWith("HTTP/1.") ? Integer.parseInt(response.substring(9, 12)) : -1;
            return new Exchange(leaf, status, response, socket.getSession().getProtocol());
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // A server-side check, never called on a client socket.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // The test asserts on the certificate itself instead of trusting a CA.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
