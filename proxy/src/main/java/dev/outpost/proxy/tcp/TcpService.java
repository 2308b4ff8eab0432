package dev.outpost.proxy.tcp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One app port served on a dedicated address: {@code address:port} with its handler chain ({@code []},
 * {@code [tls]}, {@code [proxy_proto]} or {@code [tls, proxy_proto]}). Two services are the same listener
 * only when every field matches: a changed chain or idle timeout rebinds.
 */
public record TcpService(String app, String address, int port, List<String> handlers, int proxyProtoVersion, Duration idleTimeout) {
    public TcpService {
        handlers = List.copyOf(handlers);
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /** Terminates TLS at the edge and passes plaintext. */
    public boolean tls() {
        return handlers.contains("tls");
    }

    /**
     * Passes half-closes (one side's EOF while the other keeps sending). Not with {@code tls}: a TLS
     * connection ends with close_notify, and shutting only its TCP write side would cut it short.
     */
    public boolean halfClose() {
        return !tls();
    }

    /** Writes a PROXY protocol header to the instance before the first byte. */
    public boolean proxyProto() {
        return handlers.contains("proxy_proto");
    }

    /** {@code db on 127.1.2.5:5432 (tls, proxy_proto v2)}. */
    public String describe() {
        String chain = handlers.isEmpty() ? "raw" : String.join(", ", handlers);
        return app + " on " + address + ":" + port + " (" + chain + (proxyProto() ? " v" + proxyProtoVersion : "") + ")";
    }
}
